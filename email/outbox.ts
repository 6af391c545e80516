import { type Selectable, sql } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { EmailAttemptTable, EmailOutboxTable, EmailStatus } from "../db/schema.ts";
import { isUuid } from "../db/errors.ts";
import { inTransaction } from "../db/transaction.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { StaffUser } from "../staff/users.ts";

export type OutboxRow = Selectable<EmailOutboxTable>;
export type EmailAttempt = Selectable<EmailAttemptTable>;
type Group = Pick<MerchantGroup, "id" | "org_id">;

/** Announced on commit by every insert into the outbox (migration 0013). */
export const OUTBOX_CHANNEL = "le_outbox";

/**
 * The new member's welcome email, queued in the member's transaction (the caller's): pending
 * when they have an email, else `skipped` (counted, never sent).
 */
export async function enqueueNewMemberEmail(
  tx: Db,
  member: { org_id: string; group_id: string; id: string; email: string | null },
): Promise<void> {
  await tx.insertInto("email_outbox").values({
    org_id: member.org_id,
    group_id: member.group_id,
    customer_id: member.id,
    to_address: member.email,
    status: member.email ? "pending" : "skipped",
    finished_at: member.email ? null : sql<Date>`now()`,
  }).execute();
}

export type OutboxCounts = Record<EmailStatus, number>;

/** How many of the group's welcome emails are in each state. */
export async function outboxCounts(db: Db, group: Group): Promise<OutboxCounts> {
  const rows = await db.selectFrom("email_outbox")
    .select(["status", sql<number>`count(*)::int`.as("n")])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .groupBy("status").execute();
  const counts: OutboxCounts = { pending: 0, sent: 0, logged: 0, failed: 0, skipped: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** An outbox row with its member and its attempts, newest attempt last. */
export interface OutboxEntry {
  row: OutboxRow;
  member: { number: string; name: string };
  attempts: EmailAttempt[];
}

/**
 * The group's welcome emails, newest first, a page at a time (keyset on created, id), with
 * their attempts; `status` narrows them (e.g. the failed ones), `id` to one.
 */
export async function listOutbox(
  db: Db,
  group: Group,
  q: { status?: EmailStatus; limit: number; after?: string; id?: string },
): Promise<OutboxEntry[]> {
  let query = db.selectFrom("email_outbox as o")
    .innerJoin("customers as c", "c.id", "o.customer_id")
    .selectAll("o").select(["c.number as member_number", "c.name as member_name"])
    .where("o.group_id", "=", group.id).where("o.org_id", "=", group.org_id)
    .orderBy("o.created_at", "desc").orderBy("o.id", "desc").limit(q.limit);
  if (q.status) query = query.where("o.status", "=", q.status);
  if (q.id) query = query.where("o.id", "=", q.id);
  if (q.after && isUuid(q.after)) {
    // The cursor names a row, not its time (microseconds in Postgres, milliseconds here).
    query = query.where(sql<boolean>`(o.created_at, o.id) < (
      select last.created_at, last.id from email_outbox as last where last.id = ${q.after})`);
  }
  const rows = await query.execute();
  const attempts = rows.length
    ? await db.selectFrom("email_attempts").selectAll()
      .where("outbox_id", "in", rows.map((r) => r.id)).orderBy("at").orderBy("attempt").execute()
    : [];
  return rows.map(({ member_number, member_name, ...row }) => ({
    row,
    member: { number: member_number, name: member_name },
    attempts: attempts.filter((a) => a.outbox_id === row.id),
  }));
}

/**
 * A failed email queued again, due now, with a fresh set of attempts (its past attempts stay
 * recorded); one audit entry. Only a failed email may be retried: 409 otherwise.
 */
export async function retryEmail(
  db: Db,
  group: Group,
  id: string,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<OutboxRow> {
  if (!isUuid(id)) throw notFound("email");
  return await inTransaction(db, async (tx) => {
    const row = await tx.updateTable("email_outbox")
      .set({
        status: "pending",
        attempts: 0,
        next_attempt_at: sql<Date>`now()`,
        lease_until: null,
        lease_token: null,
        finished_at: null,
      })
      .where("id", "=", id).where("group_id", "=", group.id).where("org_id", "=", group.org_id)
      .where("status", "=", "failed")
      .returningAll().executeTakeFirst();
    if (!row) {
      const found = await tx.selectFrom("email_outbox").select("status")
        .where("id", "=", id).where("group_id", "=", group.id).executeTakeFirst();
      if (!found) throw notFound("email");
      throw new ProblemError(409, "email-not-failed", "Only a failed email can be retried", {
        detail: `this email is ${found.status}`,
      });
    }
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "email",
      entityId: row.id,
      action: "retry",
      actor,
      before: { status: "failed" },
      after: { status: "pending" },
    });
    // The sender hears of it as of a new email.
    await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(tx);
    return row;
  });
}
