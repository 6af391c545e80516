import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { checkLedger } from "../../ledger/check.ts";

/**
 * The ledger invariants, asserted: every transaction sums to zero per unit, every kept balance
 * and running balance equals the sum of the entries, and the database still refuses to change
 * or delete an entry. Tests that move value call it after each test.
 */
export async function assertLedgerSound(db: Db): Promise<void> {
  assert.deepEqual(await checkLedger(db), { unbalanced: [], balances: [], running: [], units: [] });
  const entry = await db.selectFrom("ledger_entries").select("id").limit(1).executeTakeFirst();
  if (entry) {
    await assert.rejects(
      db.updateTable("ledger_entries").set({ amount: 1 }).where("id", "=", entry.id).execute(),
      /append-only/,
    );
  }
}
