import assert from "node:assert/strict";
import type { Db } from "../../db/connection.ts";
import { checkLedger } from "../../ledger/check.ts";
import { customerPoints, POINTS_ADJUSTED, programmePoints } from "../../ledger/accounts.ts";
import { post } from "../../ledger/post.ts";

/**
 * The ledger invariants, asserted: every transaction sums to zero per unit, every kept balance
 * and running balance equals the sum of the entries, and the database still refuses to change
 * or delete an entry. Tests that move value call it after each test.
 */
export async function assertLedgerSound(db: Db): Promise<void> {
  assert.deepEqual(await checkLedger(db), {
    unbalanced: [],
    balances: [],
    running: [],
    units: [],
    orphans: [],
  });
  const entry = await db.selectFrom("ledger_entries").select("id").limit(1).executeTakeFirst();
  if (entry) {
    await assert.rejects(
      db.updateTable("ledger_entries").set({ amount: 1 }).where("id", "=", entry.id).execute(),
      /append-only/,
    );
  }
}

/**
 * Gives (or takes, when negative) a customer `hundredths` of points, as a staff adjustment
 * against the programme: a test's starting balance, posted through the ledger like any other.
 */
export async function adjustPoints(
  db: Db,
  w: { org: { id: string }; group: { id: string } },
  customerId: string,
  hundredths: number,
): Promise<void> {
  await post(db, {
    orgId: w.org.id,
    groupId: w.group.id,
    reference: "ADJUST",
    at: new Date(),
    actor: { label: "test" },
    legs: [
      { account: customerPoints(w.org.id, w.group.id, customerId), amount: hundredths },
      { account: programmePoints(w.org.id, w.group.id, POINTS_ADJUSTED), amount: -hundredths },
    ],
  });
}
