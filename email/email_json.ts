import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import type { OutboxCounts, OutboxEntry } from "./outbox.ts";
import { EmailTemplateSchema, PLACEHOLDERS, type TemplateVersion } from "./template.ts";

const placeholders = PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ");

// `.meta`, not `.openapi`: the template schema is plain zod (the console's form uses it too).
const Template = EmailTemplateSchema.meta({
  id: "NewMemberEmailTemplate",
  description: `Subject (one line), text and HTML; each may name ${placeholders}, filled with ` +
    "the new member's name, customer number and card number (escaped in the HTML)",
});

const StatusCount = z.number().int().min(0);

export const Counts = z.object({
  pending: StatusCount.openapi({ description: "queued or being retried" }),
  sent: StatusCount.openapi({ description: "accepted by the SMTP server" }),
  logged: StatusCount.openapi({ description: "no SMTP configured: written to the log" }),
  failed: StatusCount.openapi({ description: "every attempt failed; may be retried" }),
  skipped: StatusCount.openapi({ description: "members without an email" }),
}).openapi("NewMemberEmailCounts");

const Version = z.number({ error: "must be a number" }).int("must be a whole number")
  .min(0, "must be 0 or more").openapi({
    description: "The version the template was read at (0: the built-in template); a save " +
      "based on an older version is refused with 409 `stale-version`",
  });

export const VersionedTemplate = z.object({ version: Version, template: Template }).strict()
  .openapi("VersionedNewMemberEmailTemplate");

export const TemplateAnswer = VersionedTemplate.extend({
  isDefault: z.boolean().openapi({ description: "the group has not saved a template yet" }),
  counts: Counts,
}).openapi("NewMemberEmail");

export const templateJson = (t: TemplateVersion, counts: OutboxCounts) => ({
  version: t.version,
  template: t.template,
  isDefault: t.isDefault,
  counts,
});

export const TestEmailRequest = z.object({
  template: Template.optional().openapi({ description: "what to send; the saved one when absent" }),
}).strict().openapi("NewMemberEmailTest");

export const TestEmailAnswer = z.object({
  to: z.string().openapi({ description: "the signed-in staff member's email" }),
  via: z.enum(["smtp", "log"]).openapi({ description: "SMTP, or the log without SMTP" }),
  messageId: z.string(),
}).openapi("NewMemberEmailTestSent");

const Attempt = z.object({
  attempt: z.number().int(),
  at: Timestamp,
  outcome: z.enum(["sent", "logged", "error"]),
  detail: z.string().openapi({ description: "the SMTP server's answer or the error" }),
});

export const OutboxMessage = z.object({
  id: z.string().openapi({ format: "uuid" }),
  customerId: z.string().openapi({ format: "uuid" }),
  customerNumber: z.string(),
  name: z.string(),
  to: z.string().nullable().openapi({ description: "null: the member has no email (skipped)" }),
  status: z.enum(["pending", "sent", "logged", "failed", "skipped"]),
  attempts: z.array(Attempt),
  nextAttemptAt: Timestamp.nullable().openapi({ description: "while pending" }),
  messageId: z.string().nullable().openapi({ description: "set at the first attempt" }),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
}).openapi("NewMemberEmailMessage");

export const outboxJson = ({ row, member, attempts }: OutboxEntry) => ({
  id: row.id,
  customerId: row.customer_id,
  customerNumber: member.number,
  name: member.name,
  to: row.to_address,
  status: row.status,
  attempts: attempts.map((a) => ({
    attempt: a.attempt,
    at: isoTime(a.at),
    outcome: a.outcome,
    detail: a.detail,
  })),
  nextAttemptAt: row.status === "pending" ? isoTime(row.next_attempt_at) : null,
  messageId: row.message_id,
  lastError: row.last_error,
  createdAt: isoTime(row.created_at),
  finishedAt: row.finished_at ? isoTime(row.finished_at) : null,
});
