/**
 * The back office's instrument search: a group's instruments by any part of their number, of
 * one series, in one status as `currentStatus` tells it, a page at a time in number order.
 */
import { type Expression, type ExpressionBuilder, sql, type SqlBool } from "kysely";
import type { Db } from "../db/connection.ts";
import type { Database, InstrumentStatus, InstrumentType } from "../db/schema.ts";
import { FUNDS } from "./accounts.ts";
import { currentStatus } from "./states.ts";

/** One instrument as a search lists it. */
export interface InstrumentHit {
  id: string;
  number: string;
  seriesId: string;
  seriesName: string;
  type: InstrumentType;
  /** Its status now (expiry applied, UTC). */
  status: InstrumentStatus;
  /** Minor units of `currency` on the card. */
  balance: number;
  currency: string;
  expiresAt: Date | null;
}

export interface InstrumentQuery {
  /** Any part of the number; spaces and dashes are ignored, letters match in any case. */
  number?: string;
  seriesId?: string;
  status?: InstrumentStatus;
  limit: number;
  /** Keyset cursor: the number of the last hit of the previous page. */
  after?: string;
  now?: Date;
}

/** The number as stored: card numbers are printed in groups, coupon codes in capitals. */
export const normalizeNumber = (text: string) => text.replace(/[\s-]/g, "").toUpperCase();

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => "\\" + ch);

/** The statuses expiry overrides: void and expired stay what they are. */
const LIVE: InstrumentStatus[] = ["inactive", "active", "blocked"];

/**
 * The condition "its status now is `status`", as `currentStatus(i, "UTC", now)` decides it: an
 * expiry date before today (UTC) makes a live instrument expired.
 */
function statusNow(
  eb: ExpressionBuilder<Database & { i: Database["instruments"] }, "i">,
  status: InstrumentStatus,
  now: Date,
): Expression<SqlBool> {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (status === "void") return eb("i.status", "=", "void");
  if (status === "expired") {
    return eb.or([
      eb("i.status", "=", "expired"),
      eb.and([eb("i.status", "in", LIVE), eb("i.expires_at", "<", today)]),
    ]);
  }
  return eb.and([
    eb("i.status", "=", status),
    eb.or([eb("i.expires_at", "is", null), eb("i.expires_at", ">=", today)]),
  ]);
}

/** A page of the group's instruments matching `q`, by number; `limit + 1` to see if more. */
export async function searchInstruments(
  db: Db,
  groupId: string,
  q: InstrumentQuery,
): Promise<InstrumentHit[]> {
  const now = q.now ?? new Date();
  let query = db.selectFrom("instruments as i")
    .innerJoin("series as s", "s.id", "i.series_id")
    .leftJoin(
      "ledger_accounts as a",
      (join) =>
        join.onRef("a.instrument_id", "=", "i.id").on("a.code", "=", FUNDS)
          .onRef("a.unit", "=", "s.currency"),
    )
    .select([
      "i.id",
      "i.number",
      "i.status",
      "i.expires_at",
      "i.series_id",
      "s.name as series_name",
      "s.type",
      "s.currency",
      sql<number>`coalesce(a.balance, 0)`.as("balance"),
    ])
    .where("i.group_id", "=", groupId)
    .orderBy("i.number").limit(q.limit);
  const number = q.number === undefined ? "" : normalizeNumber(q.number);
  // The trigram index serves a contains-match of three characters or more.
  if (number) query = query.where("i.number", "like", `%${escapeLike(number)}%`);
  if (q.seriesId) query = query.where("i.series_id", "=", q.seriesId);
  if (q.status) {
    const status = q.status;
    query = query.where((eb) => statusNow(eb, status, now));
  }
  if (q.after !== undefined) query = query.where("i.number", ">", q.after);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    seriesId: r.series_id,
    seriesName: r.series_name,
    type: r.type,
    status: currentStatus(r, "UTC", now),
    balance: r.balance,
    currency: r.currency,
    expiresAt: r.expires_at,
  }));
}
