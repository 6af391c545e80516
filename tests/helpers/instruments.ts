import type { Db } from "../../db/connection.ts";
import { instrumentFunds, seriesLiability } from "../../instruments/accounts.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import type { Series } from "../../instruments/series.ts";
import { post } from "../../ledger/post.ts";
import type { StaffUser } from "../../staff/users.ts";

/** Generates `count` instruments of the series through the services, to the end. */
export async function generateInstruments(
  db: Db,
  series: Series,
  count: number,
  actor: Pick<StaffUser, "id" | "email">,
) {
  const generation = await startGeneration(db, series, {
    count,
    key: crypto.randomUUID(),
    actor,
  });
  const done = await runGeneration(db, generation.id);
  if (done.status !== "done") throw new Error(`generation ${done.status}: ${done.error}`);
  return await db.selectFrom("instruments").selectAll().where("generation_id", "=", done.id)
    .orderBy("number").execute();
}

/**
 * A redemption at a till as the POS records one (its own code is not on this branch): the
 * card's money back to the series' liability in the ledger, and the activity with the store,
 * POS and receipt, in one transaction.
 */
export async function redeemAtPos(
  db: Db,
  instrumentId: string,
  at: { storeId: string; posId: string; posLabel: string; receipt: string; amount: number },
) {
  return await db.transaction().execute(async (tx) => {
    const i = await tx.selectFrom("instruments").selectAll().where("id", "=", instrumentId)
      .forUpdate().executeTakeFirstOrThrow();
    const series = await tx.selectFrom("series").selectAll().where("id", "=", i.series_id)
      .executeTakeFirstOrThrow();
    const posted = await post(tx, {
      orgId: i.org_id,
      groupId: i.group_id,
      reference: "REDEEM",
      at: new Date(),
      actor: { posId: at.posId, label: at.posLabel },
      legs: [
        {
          account: instrumentFunds(i, series.currency),
          amount: -at.amount,
          noOverdraw: { field: "amount" },
        },
        { account: seriesLiability(series), amount: at.amount },
      ],
    });
    await tx.insertInto("instrument_activities").values({
      org_id: i.org_id,
      instrument_id: i.id,
      kind: "redeem",
      status_before: i.status,
      status_after: i.status,
      amount: -at.amount,
      balance_after: posted.balances[0],
      store_id: at.storeId,
      pos_id: at.posId,
      actor_label: at.posLabel,
      receipt_number: at.receipt,
      ledger_transaction_id: posted.id,
    }).execute();
    return posted.balances[0];
  });
}
