import type { Db } from "../db/connection.ts";

/**
 * Failed sign-ins are counted in the database (not in memory) so the limit holds across
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

export async function isLoginBlocked(db: Db, email: string, ip: string): Promise<boolean> {
  const { account, address } = keysFor(email, ip);
  const since = new Date(Date.now() - LIMITS.windowMinutes * 60_000);
  const rows = await db.selectFrom("login_failures")
    .select(["key", (eb) => eb.fn.countAll<string>().as("n")])
    .where("key", "in", [account, address])
    .where("at", ">", since)
    .groupBy("key")
    .execute();
  const count = (k: string) => Number(rows.find((r) => r.key === k)?.n ?? 0);
  return count(account) >= LIMITS.perAccount || count(address) >= LIMITS.perAddress;
}

export async function recordLoginFailure(db: Db, email: string, ip: string): Promise<void> {
  const { account, address } = keysFor(email, ip);
  await db.insertInto("login_failures").values([{ key: account }, { key: address }]).execute();
  // Old rows only matter for the window; prune so the table stays small.
  await db.deleteFrom("login_failures")
    .where("at", "<", new Date(Date.now() - LIMITS.windowMinutes * 60_000)).execute();
}

export async function clearLoginFailures(db: Db, email: string): Promise<void> {
  await db.deleteFrom("login_failures").where("key", "=", keysFor(email, "").account).execute();
}
