/**
 * Money is never created at the till: how a sale's tenders pay its total and how a return's
 * refund tenders pay back the value returned. Plain arithmetic on minor units, checked in
 * request order before anything is written.
 *
 * A sale: every tender covers part of what is still due after the tenders before it and never
 * more, except cash, which may exceed it (the excess is the change); the tenders together cover
 * the total exactly. A return: every refund tender covers part of the value still to pay back,
 * never more (no change on a refund), and together they pay back exactly the value returned.
 */
import type { Json } from "../db/schema.ts";
import { type FieldError, validationError } from "../errors/problem.ts";
import { decimalAmount } from "../money/amount.ts";
import { tendersAsPaid } from "../rules/basket.ts";
import { toHundredths } from "../rules/points.ts";
import { isCardTender, POINTS_TENDER } from "./sale_json.ts";

/**
 * A tender as its sale or return accounted for it, kept on the row (`sales.tenders`): what
 * the next return of the sale pays back to.
 */
export interface RecordedTender {
  /** As sent: `CASH`, `giftCard`, `storeCredit`, `points`, another code. */
  type: string;
  /** Minor units it covers (cash: net of the change). */
  amount: number;
  /** A card tender's card. */
  number?: string;
  /** A points tender's points, hundredths. */
  points?: number;
  /** On a return's refund worked out from the sale: the index of the sale's tender. */
  original?: number;
}

/** The tenders kept on a sale's or return's row. */
export const recordedTenders = (json: Json): RecordedTender[] =>
  json as unknown as RecordedTender[];

/** A tender of a request with its money value, and the field a refusal names. */
export interface ValuedTender {
  index: number;
  type: string;
  /** Minor units: as sent, or points × pointValue for points. */
  amount: number;
  number?: string;
  points?: number;
  field: string;
}

/**
 * The tenders of a request valued in minor units: a points tender is worth
 * points × pointValue, which must be whole minor units (a fraction of a cent cannot be paid).
 */
export function valuedTenders(
  tenders: readonly { type: string; number?: string; amount?: number; points?: number }[],
  pointValue: number,
): ValuedTender[] {
  const errors: FieldError[] = [];
  const valued = tenders.map((t, index): ValuedTender => {
    if (t.type !== POINTS_TENDER) {
      return {
        index,
        type: t.type,
        amount: t.amount!,
        ...(isCardTender(t.type) ? { number: t.number! } : {}),
        field: `tenders.${index}.amount`,
      };
    }
    const points = toHundredths(t.points!);
    const field = `tenders.${index}.points`;
    const value = points * pointValue;
    if (value % 100 !== 0) {
      errors.push({
        field,
        message: `worth ${value / 100} minor units at ${pointValue} per point: ` +
          "spend points worth a whole number of minor units",
      });
    }
    return { index, type: t.type, amount: value / 100, points, field };
  });
  if (errors.length) throw validationError(errors);
  return valued;
}

const money = (minor: number, currency: string) => `${decimalAmount(minor, currency)} ${currency}`;

/** The tenders as recorded: what each covered, in request order. */
const recorded = (tenders: readonly ValuedTender[], covered: readonly number[]) =>
  tenders.map((t, i): RecordedTender => ({
    type: t.type,
    amount: covered[i],
    ...(t.number === undefined ? {} : { number: t.number }),
    ...(t.points === undefined ? {} : { points: t.points }),
  }));

/**
 * The sale's tenders against its net `total` (see the module comment): the change (the cash
 * beyond the total) and the tenders as recorded, or a 422 naming the first tender at fault
 * (`tenders.N.amount` / `tenders.N.points`), or `tenders` when they cover less than the total.
 * A sale of 0.00 needs no tender and takes none.
 */
export function payTotal(
  tenders: readonly ValuedTender[],
  total: number,
  currency: string,
): { change: number; tenders: RecordedTender[] } {
  // What each tender pays is the rules' own reading (cash beyond what is due is change); what
  // is left to check is that nothing else pays more than is due, and that the total is paid.
  const paid = tendersAsPaid(tenders, total);
  let due = total;
  for (const [i, t] of tenders.entries()) {
    if (due === 0) {
      throw validationError([{
        field: t.field,
        message: "nothing is left to pay: the tenders before it pay the total",
      }]);
    }
    if (paid[i].amount > due) {
      throw validationError([{
        field: t.field,
        message: `worth ${money(t.amount, currency)}, more than the ${money(due, currency)} ` +
          "still due: only cash may exceed it",
      }]);
    }
    due -= paid[i].amount;
  }
  if (due > 0) {
    throw validationError([{
      field: "tenders",
      message: `the tenders pay ${money(total - due, currency)} of the ` +
        `${money(total, currency)} total: ${money(due, currency)} still due`,
    }]);
  }
  const change = tenders.reduce((sum, t, i) => sum + t.amount - paid[i].amount, 0);
  return { change, tenders: recorded(tenders, paid.map((t) => t.amount)) };
}

/**
 * A return's refund tenders against the `value` returned: each at most what is still to pay
 * back after the ones before it (cash too: a refund gives no change), and together exactly the
 * value. Answers them as recorded, or a 422 as `payTotal`'s.
 */
export function payBack(
  tenders: readonly ValuedTender[],
  value: number,
  currency: string,
): RecordedTender[] {
  let due = value;
  for (const t of tenders) {
    if (t.amount > due) {
      throw validationError([{
        field: t.field,
        message: `pays back ${money(t.amount, currency)}, more than the ` +
          `${money(due, currency)} left of the ${money(value, currency)} returned`,
      }]);
    }
    due -= t.amount;
  }
  if (due > 0) {
    throw validationError([{
      field: "tenders",
      message: `the refund tenders pay back ${money(value - due, currency)} of the ` +
        `${money(value, currency)} returned: name tenders for the ${money(due, currency)} left`,
    }]);
  }
  return recorded(tenders, tenders.map((t) => t.amount));
}

/** The spent points a return gives back by default: hundredths, and what they are worth. */
export interface PointsBack {
  points: number;
  /** Minor units, at most the value returned. */
  value: number;
}

/**
 * A return against its receipt that names no tender pays back to the sale's own tenders
 * (`sale`, as it recorded them): the spent points first (`points`, their share worked out by
 * the caller), then the gift cards and store credit, each up to what it paid less what the
 * sale's earlier returns (`earlier`) gave back to it, then the other tenders (cash, …) the same
 * way, in the sale's order. Null when they cannot take the whole value (a sale recorded before
 * its tenders were kept): the POS then names the tenders.
 */
export function refundsToOriginal(
  sale: readonly RecordedTender[],
  earlier: readonly RecordedTender[],
  value: number,
  points: PointsBack,
): RecordedTender[] | null {
  const refunds: RecordedTender[] = [];
  let due = value;
  const pointsIndex = sale.findIndex((t) => t.type === POINTS_TENDER);
  if (points.points > 0 && pointsIndex >= 0) {
    const part = Math.min(points.value, due);
    refunds.push({
      type: POINTS_TENDER,
      amount: part,
      points: points.points,
      original: pointsIndex,
    });
    due -= part;
  }
  const left = (i: number) =>
    sale[i].amount - earlier.reduce((s, r) => s + (r.original === i ? r.amount : 0), 0);
  const cardsFirst = [
    ...sale.keys().filter((i) => isCardTender(sale[i].type)),
    ...sale.keys().filter((i) => !isCardTender(sale[i].type) && sale[i].type !== POINTS_TENDER),
  ];
  for (const i of cardsFirst) {
    const part = Math.min(left(i), due);
    if (part <= 0) continue;
    const t = sale[i];
    refunds.push({
      type: t.type,
      amount: part,
      ...(t.number === undefined ? {} : { number: t.number }),
      original: i,
    });
    due -= part;
  }
  return due > 0 ? null : refunds;
}
