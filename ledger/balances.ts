import type { Db } from "../db/connection.ts";
import { CUSTOMER_POINTS, POINTS } from "./accounts.ts";

/** Customers' points balances (hundredths), 0 for a customer without an account yet. */
export async function pointsBalances(
  db: Db,
  customerIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map(customerIds.map((id) => [id, 0]));
  if (!customerIds.length) return out;
  const rows = await db.selectFrom("ledger_accounts").select(["customer_id", "balance"])
    .where("customer_id", "in", customerIds).where("code", "=", CUSTOMER_POINTS)
    .where("unit", "=", POINTS).execute();
  for (const r of rows) out.set(r.customer_id!, r.balance!);
  return out;
}

/**
 * Seed 004's key line total: the sum of a customer's points entries (hundredths) whose
 * reference is `reference`, e.g. ONBO for points earned on board. Reversals of such points
 * carry the same reference, so a returned sale takes its key line points back.
 */
export async function keyLineTotals(
  db: Db,
  customerIds: readonly string[],
  reference: string,
): Promise<Map<string, number>> {
  const out = new Map(customerIds.map((id) => [id, 0]));
  if (!customerIds.length || !reference) return out;
  const rows = await db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select((eb) => ["a.customer_id", eb.fn.sum<string>("e.amount").as("total")])
    .where("a.customer_id", "in", customerIds).where("a.code", "=", CUSTOMER_POINTS)
    .where("a.unit", "=", POINTS).where("e.reference", "=", reference)
    .groupBy("a.customer_id").execute();
  for (const r of rows) out.set(r.customer_id!, Number(r.total));
  return out;
}
