/**
 * One instrument as the back office sees it: its series, its status now (expiry applied), the
 * balance of its money account, and the moves staff can make on it from there.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { InstrumentStatus } from "../db/schema.ts";
import { FUNDS } from "./accounts.ts";
import type { Instrument } from "./generation.ts";
import type { Series } from "./series.ts";
import { currentStatus, nextStatus } from "./states.ts";

/** The moves staff make by hand; load, redeem and refund happen at a POS. */
export const STAFF_MOVES = ["activate", "block", "unblock", "void"] as const;
export type StaffMove = (typeof STAFF_MOVES)[number];

export async function getInstrument(db: Db, id: string): Promise<Instrument | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("instruments").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface InstrumentDetail {
  instrument: Instrument;
  series: Series;
  /** Its status now: the stored one, or expired once its expiry date has passed (UTC). */
  status: InstrumentStatus;
  /** Minor units of the series' currency on the card (0 before any money moved). */
  balance: number;
}

/** The instrument with its series and balance: one statement. */
export async function instrumentDetail(
  db: Db,
  instrument: Instrument,
  now = new Date(),
): Promise<InstrumentDetail> {
  const { balance, ...series } = await db.selectFrom("series as s")
    .leftJoin(
      "ledger_accounts as a",
      (join) =>
        join.on("a.instrument_id", "=", instrument.id).on("a.code", "=", FUNDS)
          .onRef("a.unit", "=", "s.currency"),
    )
    .selectAll("s")
    .select(sql<number>`coalesce(a.balance, 0)`.as("balance"))
    .where("s.id", "=", instrument.series_id).executeTakeFirstOrThrow();
  return {
    instrument,
    series,
    status: currentStatus(instrument, "UTC", now),
    balance,
  };
}

/** The staff moves the instrument's type and status allow now, in STAFF_MOVES order. */
export function possibleMoves(detail: Pick<InstrumentDetail, "series" | "status">): StaffMove[] {
  return STAFF_MOVES.filter((move) => {
    try {
      nextStatus(detail.series.type, detail.status, move);
      return true;
    } catch {
      return false;
    }
  });
}
