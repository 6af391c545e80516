/**
 * A gift card or store credit activity at the POS, the unit of work: in one transaction (which
 * `idempotent` opens) the Idempotency-Key is claimed, the card locked and moved, and the answer
 * stored. A retry with the same key and body gets the first answer byte for byte and moves
 * nothing; a refusal (404, 409, 422) writes nothing and leaves the key free.
 */
import type { Db } from "../db/connection.ts";
import { idempotent } from "../db/idempotency.ts";
import { notFound } from "../errors/problem.ts";
import { applyMove, lockInstrument, wrongCurrency } from "./activities.ts";
import { activityJson, type ActivityRequest } from "./activities_json.ts";

/** The activities a POS makes; block and unblock are staff's. */
export type PosMove = "activate" | "load" | "redeem" | "refund" | "void";

export interface PosActivityContext {
  group: { id: string; org_id: string };
  till: {
    storeId: string;
    posId: string;
    storeNumber: number;
    posNumber: number;
    timezone: string;
  };
  /** Whose Idempotency-Keys these are (auth/pos.ts `idempotencyScope`) and the key sent. */
  idempotency: { scope: string; key: string };
}

/** Records one activity once per key; answers the stored JSON text. */
export async function recordPosActivity(
  db: Db,
  ctx: PosActivityContext,
  number: string,
  move: PosMove,
  request: ActivityRequest,
): Promise<{ text: string; replayed: boolean }> {
  const answer = await idempotent(db, {
    orgId: ctx.group.org_id,
    scope: ctx.idempotency.scope,
    key: ctx.idempotency.key,
    fingerprint: { operation: `POST /api/pos/v1/instruments/{number}/${move}`, number, request },
  }, async (tx) => {
    const instrument = await lockInstrument(tx, ctx.group.id, number);
    if (!instrument) throw notFound("instrument");
    if (request.currency !== undefined && request.currency !== instrument.currency) {
      throw wrongCurrency(instrument.currency);
    }
    const moved = await applyMove(tx, instrument, move, {
      amount: request.amount,
      allowPartial: request.allowPartial,
    }, {
      storeId: ctx.till.storeId,
      posId: ctx.till.posId,
      label: `store ${ctx.till.storeNumber} POS ${ctx.till.posNumber}`,
      timezone: ctx.till.timezone,
      receiptNumber: request.receiptNumber,
      reason: request.reason,
    });
    const body = activityJson(moved, move === "redeem" ? request.amount : undefined);
    return { status: 200, body: JSON.stringify(body) };
  });
  return { text: answer.body as string, replayed: answer.replayed };
}
