/**
 * Money loaded onto a gift card or store credit by staff in the console, the unit of work: in
 * one transaction (which `idempotent` opens) the Idempotency-Key is claimed, the card locked
 * and loaded (its ledger posting and history row, as a POS load), the audit entry written and
 * the answer stored. A retry with the same key and body gets the first answer and moves
 * nothing; a refusal (404, 409, 422) writes nothing and leaves the key free.
 */
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { idempotent } from "../db/idempotency.ts";
import { notFound } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";
import { applyMove, lockInstrument, wrongCurrency } from "./activities.ts";
import { type Activity, activityJson } from "./activities_json.ts";

export interface StaffLoad {
  /** Minor units of the series' currency, more than 0. */
  amount: number;
  /** When sent, it must be the series' currency. */
  currency?: string;
  reason: string;
}

/** Loads `amount` once per key; answers the stored answer and whether it was replayed. */
export async function staffLoad(
  db: Db,
  instrument: { id: string; org_id: string; group_id: string; number: string },
  input: StaffLoad,
  actor: Pick<StaffUser, "id" | "email">,
  key: string,
): Promise<{ body: Activity; replayed: boolean }> {
  if (!isUuid(instrument.id)) throw notFound("instrument");
  const answer = await idempotent(db, {
    orgId: instrument.org_id,
    scope: `staff:${actor.id}`,
    key,
    fingerprint: { operation: `POST /api/admin/v1/instruments/${instrument.id}/loads`, input },
  }, async (tx) => {
    const locked = await lockInstrument(tx, instrument.group_id, instrument.number);
    if (!locked) throw notFound("instrument");
    if (input.currency !== undefined && input.currency !== locked.currency) {
      throw wrongCurrency(locked.currency);
    }
    const moved = await applyMove(tx, locked, "load", { amount: input.amount }, {
      staffId: actor.id,
      label: actor.email,
      timezone: "UTC",
      reason: input.reason,
    });
    await recordAudit(tx, {
      orgId: locked.org_id,
      entity: "instrument",
      entityId: locked.id,
      label: locked.number,
      action: "load",
      actor,
      before: { balance: moved.state.balance - input.amount, currency: locked.currency },
      after: {
        balance: moved.state.balance,
        amount: input.amount,
        currency: locked.currency,
        reason: input.reason,
      },
    });
    return { status: 201, body: activityJson(moved) };
  });
  return { body: answer.body as unknown as Activity, replayed: answer.replayed };
}
