/**
 * What moves a gift card or store credit: activate, load, redeem, refund, void, and staff's
 * block and unblock. Every move locks the instrument's row first (FOR UPDATE): all money of a
 * card moves under that lock — these activities and a sale's tenders alike — so concurrent
 * redemptions of one card queue, and each sees the balance the previous one left. A move that
 * moves money posts one ledger transaction (the card's FUNDS against its series' liability,
 * instruments/accounts.ts) and writes the history row that describes it, in the caller's
 * transaction: a refusal writes nothing. A void writes off what the card holds (breakage, against
 * the series' breakage account) in the same posting way, so a void and a redemption of one card
 * queue on its row and never both take its money.
 */
import { type Selectable, sql } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { InstrumentStatus, InstrumentTable, InstrumentType } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { Leg } from "../ledger/post.ts";
import { balanceAfter as ledgerBalanceAfter, insufficient, post } from "../ledger/post.ts";
import type { StaffUser } from "../staff/users.ts";
import { FUNDS, instrumentFunds, seriesBreakage, seriesLiability } from "./accounts.ts";
import { currentStatus, type Move, nextStatus } from "./states.ts";

/** An instrument locked for a move, with what its series says about it. */
export interface LockedInstrument extends Selectable<InstrumentTable> {
  type: InstrumentType;
  currency: string;
  initial_value: number;
}

/** What a POS or the console is told about an instrument. */
export interface InstrumentState {
  number: string;
  type: InstrumentType;
  status: InstrumentStatus;
  currency: string;
  /** Minor units of `currency` on the card. */
  balance: number;
  expiresAt: Date | null;
}

/** Who moves an instrument, and where: a POS of a store, or a staff member in the console. */
export interface Place {
  storeId?: string;
  posId?: string;
  staffId?: string;
  /** How they are called now (kept in the history when they are gone). */
  label: string;
  /** The clock expiry is read on: the store's time zone, UTC in the console. */
  timezone: string;
  receiptNumber?: string;
  /** The sale or return the move is a tender or refund of. */
  saleId?: string;
  reason?: string;
}

/** One move done: what it moved and the instrument after it. */
export interface Moved {
  state: InstrumentState;
  activity: {
    id: number;
    kind: Move;
    /** Minor units moved (never negative): loaded, redeemed, refunded, written off by a void. */
    amount: number;
    at: Date;
  };
  ledgerTransactionId: string | null;
}

/** How a money move changes the card's balance: + loads, − redeems and writes off. */
export const SIGN: Partial<Record<Move, 1 | -1>> = {
  activate: 1,
  load: 1,
  refund: 1,
  redeem: -1,
  void: -1,
};
const REFERENCE: Partial<Record<Move, string>> = {
  activate: "ACTIVATE",
  load: "LOAD",
  refund: "REFUND",
  redeem: "REDEEM",
  void: "BREAKAGE",
};

/** Instruments with what their series says, to be locked (FOR UPDATE of the instrument). */
const lockable = (tx: Db) =>
  tx.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
    .selectAll("i").select(["s.type", "s.currency", "s.initial_value"]);

/**
 * The group's instrument of that number, locked (FOR UPDATE); undefined when the group has
 * none (another group's is none: the POS gets a 404 either way).
 */
export async function lockInstrument(
  tx: Db,
  groupId: string,
  number: string,
): Promise<LockedInstrument | undefined> {
  const [found] = await lockInstruments(tx, groupId, [number]);
  return found;
}

/**
 * The group's instruments of these numbers, locked in id order (so two sales paying with the
 * same cards never deadlock).
 */
export async function lockInstruments(
  tx: Db,
  groupId: string,
  numbers: readonly string[],
): Promise<LockedInstrument[]> {
  if (!numbers.length) return [];
  return await lockable(tx)
    .where("i.group_id", "=", groupId).where("i.number", "in", [...numbers])
    .orderBy("i.id").forUpdate("i").execute();
}

/** The card's balance (0 before any money moved). */
export async function fundsBalance(db: Db, i: LockedInstrument): Promise<number> {
  const row = await db.selectFrom("ledger_accounts").select("balance")
    .where("group_id", "=", i.group_id).where("instrument_id", "=", i.id)
    .where("code", "=", FUNDS).where("unit", "=", i.currency).executeTakeFirst();
  return row?.balance ?? 0;
}

const stateOf = (
  i: LockedInstrument,
  status: InstrumentStatus,
  balance: number,
): InstrumentState => ({
  number: i.number,
  type: i.type,
  status,
  currency: i.currency,
  balance,
  expiresAt: i.expires_at,
});

/**
 * The legs of a money move of `amount` (signed by the move) on card `i`: against the series'
 * liability, or its breakage account for a void's write-off.
 */
export function moneyLegs(
  i: LockedInstrument,
  move: Move,
  amount: number,
  field: string,
): Leg[] {
  const sign = SIGN[move];
  if (!sign || amount === 0) return [];
  const series = { id: i.series_id, org_id: i.org_id, group_id: i.group_id, currency: i.currency };
  return [
    {
      account: instrumentFunds(i, i.currency),
      amount: sign * amount,
      reference: REFERENCE[move],
      ...(sign < 0 ? { noOverdraw: { field } } : {}),
    },
    {
      account: move === "void" ? seriesBreakage(series) : seriesLiability(series),
      amount: -sign * amount,
      reference: REFERENCE[move],
    },
  ];
}

/** The money a move asks for, or what it must be. */
export interface MoveInput {
  /** Minor units; activate defaults to the series' initial value, the others need it. */
  amount?: number;
  /** Redeem: take what the card holds when it holds less than `amount`. */
  allowPartial?: boolean;
  /** The request field the amount came in, named by a refusal. */
  field?: string;
  /** The request field naming the instrument, named when its state refuses the move. */
  numberField?: string;
}

/**
 * Checks the move from the instrument's current state, and works out the money it moves: a
 * redemption of more than the balance is a 409 `insufficient-funds`, or with `allowPartial`
 * the balance (when there is one); a void writes off the whole balance.
 */
export function planMove(
  i: LockedInstrument,
  move: Move,
  balance: number,
  input: MoveInput,
  timezone: string,
): { status: InstrumentStatus; amount: number } {
  const field = input.field ?? "amount";
  const status = nextStatus(
    i.type,
    currentStatus(i, timezone),
    move,
    input.numberField ?? "number",
  );
  let amount = move === "activate" ? input.amount ?? i.initial_value : input.amount ?? 0;
  if (!SIGN[move]) amount = 0;
  if (move === "void") amount = Math.max(balance, 0);
  if (move === "redeem" && amount > balance) {
    if (!input.allowPartial || balance <= 0) throw insufficient(i.currency, balance, field);
    amount = balance;
  }
  return { status, amount };
}

/** A move as it happened, for its history row. */
export interface Happened {
  move: Move;
  before: InstrumentStatus;
  after: InstrumentStatus;
  /** Signed minor units the move added to the balance. */
  amount: number;
  balanceAfter: number;
  ledgerTransactionId: string | null;
  at: Date;
}

/**
 * Writes what a move did to a locked instrument: its status (and activation time) and its
 * history row. Answers the row's id.
 */
export async function recordActivity(
  tx: Db,
  i: LockedInstrument,
  happened: Happened,
  place: Place,
): Promise<number> {
  if (happened.after !== i.status || (happened.move === "activate" && !i.activated_at)) {
    await tx.updateTable("instruments").set({
      status: happened.after,
      ...(happened.move === "activate" ? { activated_at: happened.at } : {}),
    }).where("id", "=", i.id).execute();
  }
  const { id } = await tx.insertInto("instrument_activities").values({
    org_id: i.org_id,
    instrument_id: i.id,
    kind: happened.move,
    status_before: happened.before,
    status_after: happened.after,
    amount: happened.amount,
    balance_after: happened.balanceAfter,
    store_id: place.storeId ?? null,
    pos_id: place.posId ?? null,
    staff_id: place.staffId ?? null,
    actor_label: place.label,
    receipt_number: place.receiptNumber ?? null,
    sale_id: place.saleId ?? null,
    ledger_transaction_id: happened.ledgerTransactionId,
    reason: place.reason ?? null,
    at: happened.at,
  }).returning("id").executeTakeFirstOrThrow();
  return id;
}

/**
 * Applies one move to a locked instrument in the caller's transaction: the ledger posting of
 * its money (when it moves any), the new status and its history row.
 */
export async function applyMove(
  tx: Db,
  i: LockedInstrument,
  move: Move,
  input: MoveInput,
  place: Place,
): Promise<Moved> {
  const before = currentStatus(i, place.timezone);
  const balance = await fundsBalance(tx, i);
  const plan = planMove(i, move, balance, input, place.timezone);
  const at = new Date();
  let ledgerTransactionId: string | null = null;
  let balanceAfter = balance;
  const legs = moneyLegs(i, move, plan.amount, input.field ?? "amount");
  if (legs.length) {
    const posted = await post(tx, {
      orgId: i.org_id,
      groupId: i.group_id,
      reference: REFERENCE[move]!,
      at,
      actor: { posId: place.posId, staffId: place.staffId, label: place.label },
      saleId: place.saleId,
      reason: place.reason,
      legs,
    });
    ledgerTransactionId = posted.id;
    balanceAfter = ledgerBalanceAfter(posted, 0);
  }
  const id = await recordActivity(tx, i, {
    move,
    before,
    after: plan.status,
    amount: (SIGN[move] ?? 0) * plan.amount,
    balanceAfter,
    ledgerTransactionId,
    at,
  }, place);
  return {
    state: stateOf(i, plan.status, balanceAfter),
    activity: { id, kind: move, amount: plan.amount, at },
    ledgerTransactionId,
  };
}

/** The group's instrument of that number as a POS sees it; undefined when there is none. */
export async function instrumentState(
  db: Db,
  groupId: string,
  number: string,
  timezone: string,
): Promise<InstrumentState | undefined> {
  const i = await db.selectFrom("instruments as i").innerJoin("series as s", "s.id", "i.series_id")
    .leftJoin(
      "ledger_accounts as a",
      (join) =>
        join.onRef("a.instrument_id", "=", "i.id").on("a.code", "=", FUNDS)
          .onRef("a.unit", "=", "s.currency"),
    )
    .select(["i.number", "i.status", "i.expires_at", "s.type", "s.currency"])
    .select(sql<number>`coalesce(a.balance, 0)`.as("balance"))
    .where("i.group_id", "=", groupId).where("i.number", "=", number).executeTakeFirst();
  if (!i) return undefined;
  return {
    number: i.number,
    type: i.type,
    status: currentStatus(i, timezone),
    currency: i.currency,
    balance: Number(i.balance),
    expiresAt: i.expires_at,
  };
}

/** The moves staff make in the console. */
export type StaffMove = "activate" | "block" | "unblock" | "void";

/** The instrument after a staff move, and what a void wrote off (0 for the other moves). */
export interface StaffMoved extends InstrumentState {
  writtenOff: number;
}

/**
 * A move by staff in the console, the unit of work: the move (expiry read in UTC), its history
 * row with the reason, and an audit entry. 404 when there is no such instrument.
 */
export async function staffMove(
  db: Db,
  instrumentId: string,
  input: { move: StaffMove; reason: string; amount?: number },
  actor: Pick<StaffUser, "id" | "email">,
): Promise<StaffMoved> {
  if (!isUuid(instrumentId)) throw notFound("instrument");
  return await inTransaction(db, async (tx) => {
    const i = await lockable(tx).where("i.id", "=", instrumentId).forUpdate("i")
      .executeTakeFirst();
    if (!i) throw notFound("instrument");
    const before = currentStatus(i, "UTC");
    const moved = await applyMove(tx, i, input.move, { amount: input.amount }, {
      staffId: actor.id,
      label: actor.email,
      timezone: "UTC",
      reason: input.reason,
    });
    await recordAudit(tx, {
      orgId: i.org_id,
      entity: "instrument",
      entityId: i.id,
      label: i.number,
      action: input.move,
      actor,
      before: { status: before },
      after: {
        status: moved.state.status,
        reason: input.reason,
        ...(moved.activity.amount ? { amount: moved.activity.amount, currency: i.currency } : {}),
      },
    });
    return { ...moved.state, writtenOff: input.move === "void" ? moved.activity.amount : 0 };
  });
}

/** 422: an amount in another currency than the card's. */
export const wrongCurrency = (currency: string, field = "currency") =>
  new ProblemError(422, "validation", "The request is not valid", {
    detail: `the instrument holds ${currency}`,
    errors: [{ field, message: `must be ${currency}, the instrument's currency` }],
  });
