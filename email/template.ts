import { sql } from "kysely";
import * as z from "zod";
import { jsonDiff, recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { inTransaction } from "../db/transaction.ts";
import { ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { StaffUser } from "../staff/users.ts";

type Group = Pick<MerchantGroup, "id" | "org_id">;

/** What a template may name, as `{{name}}`: the new member's. */
export const PLACEHOLDERS = ["name", "customerNumber", "cardNumber"] as const;
export type Placeholder = typeof PLACEHOLDERS[number];
export type MemberFields = Record<Placeholder, string>;

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Text whose `{{…}}` name only the placeholders a template knows. */
const templateText = (max: number) =>
  z.string().min(1, "must not be empty").max(max, `at most ${max} characters`).refine(
    (s) => [...s.matchAll(PLACEHOLDER)].every((m) => PLACEHOLDERS.includes(m[1] as Placeholder)),
    `placeholders are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`,
  );

export const EmailTemplateSchema = z.object({
  subject: templateText(200).refine((s) => !/[\r\n]/.test(s), "must be one line"),
  text: templateText(20_000),
  html: templateText(50_000),
}).strict();

export type EmailTemplate = z.output<typeof EmailTemplateSchema>;

/** What a group sends until it saves its own. */
export const DEFAULT_TEMPLATE: EmailTemplate = {
  subject: "Welcome to our loyalty programme, {{name}}",
  text: "Hello {{name}},\n\nWelcome! Your customer number is {{customerNumber}} and your " +
    "card number is {{cardNumber}}. Show your card at the till to earn points.\n",
  html: "<p>Hello {{name}},</p>\n<p>Welcome! Your customer number is " +
    "<strong>{{customerNumber}}</strong> and your card number is " +
    "<strong>{{cardNumber}}</strong>.</p>\n<p>Show your card at the till to earn points.</p>\n",
};

/** A member to preview and test with. */
export const SAMPLE_MEMBER: MemberFields = {
  name: "Ana Lefèvre",
  customerNumber: "4000000000000002",
  cardNumber: "4000000000000002",
};

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);

const fill = (text: string, fields: MemberFields, escape: (s: string) => string) =>
  text.replace(PLACEHOLDER, (_, name: Placeholder) => escape(fields[name]));

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The template with the member's fields in; in the HTML they are escaped. */
export function renderEmail(template: EmailTemplate, fields: MemberFields): RenderedEmail {
  const plain = (s: string) => s;
  return {
    // A name is one line in the subject whatever it holds.
    subject: fill(template.subject, fields, (s) => s.replace(/[\r\n]+/g, " ")),
    text: fill(template.text, fields, plain),
    html: fill(template.html, fields, escapeHtml),
  };
}

export interface TemplateVersion {
  /** 0 while the group uses the built-in template. */
  version: number;
  template: EmailTemplate;
  isDefault: boolean;
}

/** The group's template, or the built-in one at version 0. */
export async function getTemplate(db: Db, group: Group): Promise<TemplateVersion> {
  const row = await db.selectFrom("email_templates")
    .select(["subject", "text_body", "html_body", "version"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id).executeTakeFirst();
  if (!row) return { version: 0, template: DEFAULT_TEMPLATE, isDefault: true };
  return {
    version: row.version,
    template: { subject: row.subject, text: row.text_body, html: row.html_body },
    isDefault: false,
  };
}

const staleTemplate = (sent: number, current: TemplateVersion) =>
  new ProblemError(409, "stale-version", "The template was changed since you loaded it", {
    detail: `your change was based on version ${sent}; the current version is ` +
      `${current.version}. Load it, apply your change again and save.`,
    version: current.version,
    template: current.template,
  });

/**
 * Saves the group's template based on `version` (optimistic concurrency, as the settings): a
 * save that changes nothing keeps the version and writes no audit entry; otherwise the version
 * goes up by one with one audit entry in the same transaction.
 */
export async function saveTemplate(
  db: Db,
  group: Group,
  input: { version: number; template: EmailTemplate },
  actor: Pick<StaffUser, "id" | "email">,
): Promise<TemplateVersion & { changed: boolean }> {
  return await inTransaction(db, async (tx) => {
    const current = await getTemplate(tx, group);
    if (current.version !== input.version) throw staleTemplate(input.version, current);
    if (jsonDiff({ ...current.template }, { ...input.template }).length === 0) {
      return { ...current, changed: false };
    }
    const values = {
      subject: input.template.subject,
      text_body: input.template.text,
      html_body: input.template.html,
    };
    // The version condition makes the write the check: of two saves of one version, the
    // second matches no row (or meets the first's insert) once the first commits.
    const row = await tx.insertInto("email_templates")
      .values({ group_id: group.id, org_id: group.org_id, ...values, version: 1 })
      .onConflict((oc) =>
        oc.column("group_id").doUpdateSet({
          ...values,
          version: sql<number>`email_templates.version + 1`,
          updated_at: sql<Date>`now()`,
        }).where("email_templates.version", "=", input.version)
      )
      .returning("version").executeTakeFirst();
    if (!row) throw staleTemplate(input.version, await getTemplate(tx, group));
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "email-template",
      entityId: group.id,
      action: "update",
      actor,
      before: { ...current.template },
      after: { ...input.template },
    });
    return { version: row.version, template: input.template, isDefault: false, changed: true };
  });
}
