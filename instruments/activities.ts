/**
 * Staff moves of an instrument (activate, block, unblock, void), each one unit of work: the
 * instrument locked, the move checked against its status now, the money of an activation
 * posted to the ledger, the history row and the audit entry written together.
 */
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { InstrumentStatus, InstrumentType } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { notFound } from "../errors/problem.ts";
import { post } from "../ledger/post.ts";
import type { StaffUser } from "../staff/users.ts";
import { FUNDS, instrumentFunds, seriesLiability } from "./accounts.ts";
import { currentStatus, nextStatus } from "./states.ts";

/** An instrument after a move, as the caller is answered. */
export interface InstrumentState {
  number: string;
  type: InstrumentType;
  status: InstrumentStatus;
  currency: string;
  /** Minor units of `currency` on the card. */
  balance: number;
  expiresAt: Date | null;
}

/**
 * Makes a staff move: 409 `instrument-<status>` when the status now does not allow it, 409
 * `wrong-instrument-type` when the type never does. An activation loads `amount` (default the
 * series' initial value) from the series' liability.
 */
export async function staffMove(
  db: Db,
  instrumentId: string,
  input: { move: "activate" | "block" | "unblock" | "void"; reason: string; amount?: number },
  actor: Pick<StaffUser, "id" | "email">,
): Promise<InstrumentState> {
  return await inTransaction(db, async (tx) => {
    const i = await tx.selectFrom("instruments").selectAll().where("id", "=", instrumentId)
      .forUpdate().executeTakeFirst();
    if (!i) throw notFound("instrument");
    const series = await tx.selectFrom("series").selectAll().where("id", "=", i.series_id)
      .executeTakeFirstOrThrow();
    const at = new Date();
    const before = currentStatus(i, "UTC", at);
    const after = nextStatus(series.type, before, input.move);
    await tx.updateTable("instruments")
      .set({ status: after, ...(input.move === "activate" ? { activated_at: at } : {}) })
      .where("id", "=", i.id).execute();
    const amount = input.move === "activate" ? input.amount ?? series.initial_value : 0;
    let balance: number;
    let transactionId: string | null = null;
    if (amount > 0) {
      const posted = await post(tx, {
        orgId: i.org_id,
        groupId: i.group_id,
        reference: "ACTIVATE",
        at,
        actor: { staffId: actor.id, label: actor.email },
        reason: input.reason,
        legs: [
          { account: instrumentFunds(i, series.currency), amount },
          { account: seriesLiability(series), amount: -amount },
        ],
      });
      balance = posted.balances[0];
      transactionId = posted.id;
    } else {
      const funds = await tx.selectFrom("ledger_accounts").select("balance")
        .where("instrument_id", "=", i.id).where("code", "=", FUNDS)
        .where("unit", "=", series.currency).executeTakeFirst();
      balance = funds?.balance ?? 0;
    }
    await tx.insertInto("instrument_activities").values({
      org_id: i.org_id,
      instrument_id: i.id,
      kind: input.move,
      status_before: before,
      status_after: after,
      amount,
      balance_after: balance,
      staff_id: actor.id,
      actor_label: actor.email,
      ledger_transaction_id: transactionId,
      reason: input.reason,
      at,
    }).execute();
    await recordAudit(tx, {
      orgId: i.org_id,
      entity: "instrument",
      entityId: i.id,
      action: input.move,
      actor,
      before: { status: before, balance: balance - amount },
      after: { status: after, balance, reason: input.reason, ...(amount ? { amount } : {}) },
    });
    return {
      number: i.number,
      type: series.type,
      status: after,
      currency: series.currency,
      balance,
      expiresAt: i.expires_at,
    };
  });
}
