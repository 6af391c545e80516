import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { recordAudit } from "../audit/log.ts";

/**
 * Sign-in attempts are counted in the database (not in memory) so the limit holds across
 * Deno Deploy isolates. Per account it stops password guessing; per address, spraying.
 */
export const LIMITS = {
  windowMinutes: 15,
  perAccount: 5,
  perAddress: 20,
};

const keysFor = (email: string, ip: string) => ({
  account: `email:${email.trim().toLowerCase()}`,
  address: `ip:${ip}`,
});

/** The attempt rows a reservation wrote: kept as failures, removed when the attempt succeeds. */
export interface Attempt {
  ids: string[];
  account: string;
}

/**
 * Counts an attempt BEFORE its password is checked, atomically with the check of the limit:
 * the two keys are locked (advisory, in a fixed order), counted and written in one
 * transaction, so a burst of parallel attempts cannot all slip under the limit. Null when the
 * limit is reached: the password must not be checked.
 */
export async function reserveLoginAttempt(
  db: Db,
  email: string,
  ip: string,
): Promise<Attempt | null> {
  const { account, address } = keysFor(email, ip);
  const since = new Date(Date.now() - LIMITS.windowMinutes * 60_000);
  // A unit of work of its own: the attempt must be counted (committed) before the password
  // is checked, whatever the caller does next.
  return await db.transaction().execute(async (tx) => {
    for (const key of [account, address].sort()) {
      await sql`select pg_advisory_xact_lock(hashtext(${"login:" + key}))`.execute(tx);
    }
    const rows = await tx.selectFrom("login_failures")
      .select(["key", (eb) => eb.fn.countAll<string>().as("n")])
      .where("key", "in", [account, address])
      .where("at", ">", since)
      .groupBy("key")
      .execute();
    const count = (k: string) => Number(rows.find((r) => r.key === k)?.n ?? 0);
    if (count(account) >= LIMITS.perAccount || count(address) >= LIMITS.perAddress) return null;
    const written = await tx.insertInto("login_failures")
      .values([{ key: account }, { key: address }]).returning("id").execute();
    if (count(account) + 1 === LIMITS.perAccount || count(address) + 1 === LIMITS.perAddress) {
      await auditThrottle(tx, email, ip);
    }
    // Old rows only matter for the window; prune so the table stays small.
    await tx.deleteFrom("login_failures").where("at", "<", since).execute();
    return { ids: written.map((r) => r.id), account };
  });
}

/**
 * The attempt that reaches a limit is audited once (the refused ones after it are not, so a
 * flood of guesses cannot flood the log): in each organization the account belongs to, or
 * installation-wide when the email is no member's (or the address hit its limit).
 */
async function auditThrottle(tx: Db, email: string, ip: string) {
  const typed = email.trim();
  const memberships = await tx.selectFrom("staff_users as u")
    .innerJoin("staff_memberships as m", "m.staff_id", "u.id")
    .select(["u.id", "m.org_id"])
    .where(sql<string>`lower(u.email)`, "=", typed.toLowerCase()).execute();
  const where = memberships.length
    ? memberships.map((m) => ({ orgId: m.org_id as string | null, entityId: m.id }))
    : [{ orgId: null, entityId: typed.toLowerCase() }];
  for (const w of where) {
    await recordAudit(tx, {
      ...w,
      entity: "sign-in",
      label: typed,
      action: "throttle",
      actor: { id: null, email: typed },
      before: null,
      after: { address: ip, minutes: LIMITS.windowMinutes },
    });
  }
}

/** A successful sign-in: its own attempt does not count, and the account starts afresh. */
export async function clearLoginAttempt(db: Db, attempt: Attempt): Promise<void> {
  await db.deleteFrom("login_failures")
    .where((eb) => eb.or([eb("id", "in", attempt.ids), eb("key", "=", attempt.account)]))
    .execute();
}
