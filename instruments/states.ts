/**
 * The life of an instrument, in one place: its states, the moves between them, and which moves
 * each type allows. Expiry is not a move anyone makes: an instrument whose expiry date has passed
 * on the store's clock is `expired` whatever its stored status (see `currentStatus`).
 */
import { todayIn } from "../calendar/zones.ts";
import type { InstrumentActivityKind, InstrumentStatus, InstrumentType } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";

export type Move = InstrumentActivityKind;

export const MOVES: readonly Move[] = [
  "activate",
  "load",
  "redeem",
  "refund",
  "void",
  "block",
  "unblock",
];

/** Where each move may start, and where it leaves the instrument (the same state without `to`). */
const TRANSITIONS: Record<Move, { from: readonly InstrumentStatus[]; to?: InstrumentStatus }> = {
  activate: { from: ["inactive"], to: "active" },
  load: { from: ["active"] },
  redeem: { from: ["active"] },
  refund: { from: ["active"] },
  block: { from: ["active"], to: "blocked" },
  unblock: { from: ["blocked"], to: "active" },
  // Voiding writes off what the card holds (breakage, instruments/activities.ts).
  void: { from: ["inactive", "active", "blocked", "expired"], to: "void" },
};

/** The types that carry money: every move. Coupons and loyalty cards are only blocked or voided. */
const MONEY_TYPES: readonly InstrumentType[] = ["gift-card", "store-credit"];
const STAFF_ONLY: readonly Move[] = ["block", "unblock", "void"];

export const carriesMoney = (type: InstrumentType) => MONEY_TYPES.includes(type);

export function allowsMove(type: InstrumentType, move: Move): boolean {
  return carriesMoney(type) || STAFF_ONLY.includes(move);
}

/**
 * The instrument's status now, on the clock of the store asking: its stored status, or
 * `expired` once the date of `expires_at` on that clock is past (the card is good through its
 * last day). Void stays void.
 */
export function currentStatus(
  i: { status: InstrumentStatus; expires_at: Date | null },
  timeZone: string,
  now = new Date(),
): InstrumentStatus {
  if (i.status === "void" || i.status === "expired" || !i.expires_at) return i.status;
  return todayIn(timeZone, now) > todayIn(timeZone, i.expires_at) ? "expired" : i.status;
}

const WHY: Record<InstrumentStatus, string> = {
  inactive: "The instrument is not activated",
  active: "The instrument is already active",
  blocked: "The instrument is blocked",
  expired: "The instrument has expired",
  void: "The instrument is void",
};

/** 409 `instrument-<status>`: the move is not allowed from that state. */
export const wrongState = (status: InstrumentStatus, move: Move, field?: string) =>
  new ProblemError(409, `instrument-${status}`, WHY[status], {
    detail: `cannot ${move} an instrument that is ${status}`,
    instrumentStatus: status,
    ...(field ? { errors: [{ field, message: `the instrument is ${status}` }] } : {}),
  });

/** 409 `wrong-instrument-type`: e.g. loading money onto a coupon. */
export const wrongType = (type: InstrumentType, move: Move, field?: string) =>
  new ProblemError(409, "wrong-instrument-type", "This instrument cannot do that", {
    detail: `a ${type} cannot ${move}: only gift cards and store credit carry money`,
    ...(field ? { errors: [{ field, message: `a ${type}` }] } : {}),
  });

/**
 * The status after `move` from `status` (the current one, expiry applied), or the 409 that
 * refuses it.
 */
export function nextStatus(
  type: InstrumentType,
  status: InstrumentStatus,
  move: Move,
  field?: string,
): InstrumentStatus {
  if (!allowsMove(type, move)) throw wrongType(type, move, field);
  const t = TRANSITIONS[move];
  if (!t.from.includes(status)) throw wrongState(status, move, field);
  return t.to ?? status;
}
