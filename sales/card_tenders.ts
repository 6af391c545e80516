/**
 * Gift cards and store credit as tenders of a sale (redeemed) and of a return (refunded onto
 * the card), inside the sale's or return's transaction. The cards are locked first, in id order,
 * as every move of a card locks it (instruments/activities.ts): a card paying two sales at once
 * is taken by one, then the other sees what is left. Each card's legs join the sale's one
 * ledger posting, and each tender leaves a history row on its card.
 */
import type { Db } from "../db/connection.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import {
  fundsBalance,
  type LockedInstrument,
  lockInstruments,
  moneyLegs,
  type Place,
  planMove,
  recordActivity,
  SIGN,
} from "../instruments/activities.ts";
import { currentStatus, wrongType } from "../instruments/states.ts";
import type { Leg } from "../ledger/post.ts";
import { CARD_TENDERS, type CardTaken, type CardTenderType, isCardTender } from "./sale_json.ts";

/** A card tender of a request: where it was, which card, how much. */
export interface CardTender {
  /** The tender's index in the request; -1 for a refund the return worked out itself. */
  index: number;
  type: CardTenderType;
  number: string;
  amount: number;
  /** Where a refusal points: `tenders.N` for a tender of the request. */
  field: string;
}

/** A card tender checked and its money worked out, before the posting. */
export interface PlannedCard {
  tender: CardTender;
  card: LockedInstrument;
  move: "redeem" | "refund";
  /** Minor units, positive. */
  amount: number;
  /** The card's balance once this tender is taken (two tenders of one card: in turn). */
  balanceAfter: number;
  legs: Leg[];
}

/** The card tenders of a request's tenders. */
export function cardTendersOf(
  tenders: readonly { type: string; number?: string; amount?: number }[],
): CardTender[] {
  return tenders.flatMap((t, index) =>
    isCardTender(t.type)
      ? [{
        index,
        type: t.type,
        number: t.number!,
        amount: t.amount!,
        field: `tenders.${index}`,
      }]
      : []
  );
}

const noSuchCard = (t: CardTender) =>
  new ProblemError(404, "not-found", "No such card", {
    detail: `the programme has no ${t.type} numbered ${t.number}`,
    errors: [{ field: `${t.field}.number`, message: "no such card in this programme" }],
  });

/**
 * Locks the tenders' cards and checks each: in the programme (404), of the tender's type
 * (409 `wrong-instrument-type`), in the sale's currency (422), in a state that allows the move
 * (409 `instrument-<status>`) and, for a redemption, with the money (409 `insufficient-funds`,
 * two tenders of one card counting together). Every refusal names the tender's field.
 */
export async function planCards(
  tx: Db,
  groupId: string,
  timezone: string,
  currency: string,
  tenders: readonly CardTender[],
  move: "redeem" | "refund",
): Promise<PlannedCard[]> {
  if (!tenders.length) return [];
  const cards = await lockInstruments(tx, groupId, [...new Set(tenders.map((t) => t.number))]);
  const byNumber = new Map(cards.map((c) => [c.number, c]));
  const balances = new Map<string, number>();
  const planned: PlannedCard[] = [];
  for (const tender of tenders) {
    const card = byNumber.get(tender.number);
    if (!card) throw noSuchCard(tender);
    const numberField = `${tender.field}.number`;
    if (card.type !== CARD_TENDERS[tender.type]) throw wrongType(card.type, move, numberField);
    if (card.currency !== currency) {
      throw validationError([{
        field: numberField,
        message: `the card holds ${card.currency}, the sale or return is in ${currency}`,
      }]);
    }
    const balance = balances.get(card.id) ?? await fundsBalance(tx, card);
    const field = `${tender.field}.amount`;
    const plan = planMove(
      card,
      move,
      balance,
      { amount: tender.amount, field, numberField },
      timezone,
    );
    const balanceAfter = balance + SIGN[move]! * plan.amount;
    balances.set(card.id, balanceAfter);
    planned.push({
      tender,
      card,
      move,
      amount: plan.amount,
      balanceAfter,
      legs: moneyLegs(card, move, plan.amount, field),
    });
  }
  return planned;
}

/** The legs of the planned cards. */
export const cardLegs = (planned: readonly PlannedCard[]) => planned.flatMap((p) => p.legs);

/** Writes each card tender's history row once the posting that moved its money is written. */
export async function recordCards(
  tx: Db,
  planned: readonly PlannedCard[],
  ledgerTransactionId: string,
  place: Place,
): Promise<CardTaken[]> {
  const taken: CardTaken[] = [];
  for (const p of planned) {
    const status = currentStatus(p.card, place.timezone);
    await recordActivity(tx, p.card, {
      move: p.move,
      before: status,
      after: status,
      amount: SIGN[p.move]! * p.amount,
      balanceAfter: p.balanceAfter,
      ledgerTransactionId,
      at: new Date(),
    }, place);
    taken.push({
      index: p.tender.index,
      type: p.tender.type,
      number: p.tender.number,
      amount: p.amount,
      balance: p.balanceAfter,
    });
  }
  return taken;
}
