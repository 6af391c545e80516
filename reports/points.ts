/**
 * Points per trading day, from the programme's side of the ledger (its POINTS_ISSUED,
 * POINTS_REDEEMED and POINTS_ADJUSTED accounts, every slot): what sales earned, what returns
 * took back of it, what members spent as tender, what returns gave back of that, and staff's
 * adjustments. `net` is what the day added to the members' balances.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { POINTS, POINTS_ADJUSTED, POINTS_ISSUED, POINTS_REDEEMED } from "../ledger/accounts.ts";
import {
  atStore,
  daysOf,
  inCategory,
  type ReportFilters,
  type ReportScope,
  transactionDays,
} from "./filters.ts";

/** One day's points, hundredths. */
export interface PointsDay {
  day: string;
  /** Earned by sales (coupons' bonus points included). */
  issued: number;
  /** Of the points earned, taken back by returns. */
  reversed: number;
  /** Spent as tender in sales. */
  redeemed: number;
  /** Of the points spent, given back by returns. */
  refunded: number;
  /** Staff's manual adjustments, signed. */
  adjusted: number;
  /** issued − reversed − redeemed + refunded + adjusted. */
  net: number;
}

export const pointsNet = (d: Omit<PointsDay, "day" | "net">) =>
  d.issued - d.reversed - d.redeemed + d.refunded + d.adjusted;

/** Every day of the period (zeros on a day without points). One statement. */
export async function pointsByDay(
  db: Db,
  scope: ReportScope,
  f: ReportFilters,
): Promise<PointsDay[]> {
  const rows = await sql<{
    day: string;
    issued: string;
    reversed: string;
    redeemed: string;
    refunded: string;
    adjusted: string;
  }>`
    select to_char(d.day, 'YYYY-MM-DD') as day,
      coalesce(-sum(e.amount) filter (where a.code = ${POINTS_ISSUED}
        and d.kind is distinct from 'return'), 0)::text as issued,
      coalesce(sum(e.amount) filter (where a.code = ${POINTS_ISSUED}
        and d.kind = 'return'), 0)::text as reversed,
      coalesce(sum(e.amount) filter (where a.code = ${POINTS_REDEEMED}
        and d.kind is distinct from 'return'), 0)::text as redeemed,
      coalesce(-sum(e.amount) filter (where a.code = ${POINTS_REDEEMED}
        and d.kind = 'return'), 0)::text as refunded,
      coalesce(-sum(e.amount) filter (where a.code = ${POINTS_ADJUSTED}), 0)::text as adjusted
    from ${transactionDays(scope)} d
    join ledger_entries e on e.transaction_id = d.id
    join ledger_accounts a on a.id = e.account_id
    where a.unit = ${POINTS} and a.customer_id is null and a.instrument_id is null
      and a.code in (${POINTS_ISSUED}, ${POINTS_REDEEMED}, ${POINTS_ADJUSTED})
      and d.day between ${f.from}::date and ${f.to}::date
      and ${atStore("d.store_id", f)} and ${inCategory("d.customer_id", f)}
    group by d.day`.execute(db);
  const byDay = new Map(rows.rows.map((r) => [r.day, r]));
  return daysOf(f.from, f.to).map((day) => {
    const r = byDay.get(day);
    const d = {
      issued: Number(r?.issued ?? 0),
      reversed: Number(r?.reversed ?? 0),
      redeemed: Number(r?.redeemed ?? 0),
      refunded: Number(r?.refunded ?? 0),
      adjusted: Number(r?.adjusted ?? 0),
    };
    return { day, ...d, net: pointsNet(d) };
  });
}
