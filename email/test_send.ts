import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { StaffUser } from "../staff/users.ts";
import { type EmailTemplate, getTemplate, renderEmail, SAMPLE_MEMBER } from "./template.ts";
import type { Mailer } from "./transport.ts";

type Group = Pick<MerchantGroup, "id" | "org_id">;

/**
 * "Send me a test": the template (the saved one when absent) filled with the sample member,
 * sent now to the staff member's own email, not through the outbox (the answer says whether it
 * went). An SMTP refusal is a 502 with the server's words. One audit entry.
 */
export async function sendTestEmail(
  db: Db,
  mailer: Mailer,
  group: Group,
  template: EmailTemplate | undefined,
  staff: Pick<StaffUser, "id" | "email">,
) {
  const rendered = renderEmail(template ?? (await getTemplate(db, group)).template, SAMPLE_MEMBER);
  const messageId = `<test.${crypto.randomUUID()}@${mailer.domain}>`;
  let via: "smtp" | "log";
  try {
    via = (await mailer.send({ to: staff.email, messageId, ...rendered })).via;
  } catch (err) {
    throw new ProblemError(502, "email-not-sent", "The SMTP server did not take the email", {
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  await recordAudit(db, {
    orgId: group.org_id,
    entity: "email-template",
    entityId: group.id,
    action: "test-send",
    actor: staff,
    before: null,
    after: { to: staff.email, subject: rendered.subject, via },
  });
  return { to: staff.email, via, messageId };
}
