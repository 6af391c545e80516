import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import {
  outboxJson,
  OutboxMessage,
  TemplateAnswer,
  templateJson,
  TestEmailAnswer,
  TestEmailRequest,
  VersionedTemplate,
} from "../../email/email_json.ts";
import { listOutbox, outboxCounts, retryEmail } from "../../email/outbox.ts";
import { getTemplate, saveTemplate } from "../../email/template.ts";
import { sendTestEmail } from "../../email/test_send.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";

const V1 = "/api/admin/v1";
const BASE = `${V1}/merchant-groups/{id}/new-member-email`;
const tags = ["New member email"];

const OutboxQuery = PageQuery.extend({
  status: z.enum(["pending", "sent", "logged", "failed", "skipped"]).optional().openapi({
    param: { name: "status", in: "query" },
    description: "only the messages in this state (e.g. failed)",
  }),
});

const MessageParams = IdParam.extend({
  messageId: Uuid.openapi({ param: { name: "messageId", in: "path" } }),
});

/** The welcome email of a group's new members: its template, a test, and the outbox. */
export const adminEmail = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: BASE,
      tags,
      summary: "The new member email's template, with how many emails are in each state",
      description: "Sent to each new loyalty member while the setting sendNewMemberEmail is " +
        "on. Version 0 is the built-in template, until the group saves its own.",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(TemplateAnswer, "The template"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const [template, counts] = await Promise.all([
        getTemplate(db, group),
        outboxCounts(db, group),
      ]);
      return c.json(templateJson(template, counts), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: BASE,
      tags,
      summary: "Replace the template (optimistic concurrency on `version`)",
      description: "A save that changes something answers the next version and writes one " +
        "audit entry; a save that changes nothing answers the same version. 409 " +
        "`stale-version` carries the current `version` and `template`. Emails not yet sent " +
        "go out with the template saved when they are sent.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(VersionedTemplate) },
      responses: { 200: jsonResponse(TemplateAnswer, "The saved template"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "settings:manage");
      const saved = await saveTemplate(db, group, c.req.valid("json"), c.get("staff")!);
      return c.json(templateJson(saved, await outboxCounts(db, group)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${BASE}/test`,
      tags,
      summary: "Send me a test: the template, filled with a sample member, to my own email",
      description: "Sent at once to the signed-in staff member's email, not through the " +
        "outbox. Without SMTP configured, the message is written to the server's log " +
        '(`via: "log"`). An SMTP refusal is a 502 `email-not-sent` with the server\'s answer. ' +
        "One audit entry.",
      ...adminAuth,
      request: { params: IdParam, body: { ...jsonBody(TestEmailRequest), required: false } },
      responses: {
        200: jsonResponse(TestEmailAnswer, "Sent"),
        ...problems,
        502: {
          description: "The SMTP server refused the email or could not be reached",
          content: problems[409].content,
        },
      },
    }),
    async (c) => {
      const { db, mailer } = c.get("deps");
      const group = await authorized(c, "merchant group", "settings:manage");
      const body = c.req.valid("json") ?? {};
      const sent = await sendTestEmail(db, mailer!, group, body.template, c.get("staff")!);
      return c.json(sent, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${BASE}/outbox`,
      tags,
      summary: "The group's welcome emails, newest first, with their attempts",
      ...adminAuth,
      request: { params: IdParam, query: OutboxQuery },
      responses: { 200: jsonResponse(pageOf(OutboxMessage), "A page of emails"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { status, limit, cursor } = c.req.valid("query");
      const rows = await listOutbox(db, group, {
        status,
        limit: limit + 1,
        after: decodeCursor(cursor, ["id"])?.[0],
      });
      const result = page(rows, limit, (e) => [e.row.id]);
      return c.json({ items: result.items.map(outboxJson), nextCursor: result.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${BASE}/outbox/{messageId}/retry`,
      tags,
      summary: "Queue a failed email again",
      description: "Due at once, with a fresh set of attempts; its past attempts stay. 409 " +
        "`email-not-failed` for an email in another state. One audit entry.",
      ...adminAuth,
      request: { params: MessageParams },
      responses: { 200: jsonResponse(OutboxMessage, "Queued"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "settings:manage");
      const row = await retryEmail(db, group, c.req.valid("param").messageId, c.get("staff")!);
      const [entry] = await listOutbox(db, group, { limit: 1, id: row.id });
      return c.json(outboxJson(entry), 200);
    },
  );
