/**
 * What the programme owes at the end of each day, from the ledger: the members' points (all
 * their POINTS accounts' entries up to that day; in money at the setting `pointValue`) and,
 * per gift-card and store-credit series, its cards' money (their FUNDS entries). The store
 * filter does not apply (a balance belongs to no store); the category filter applies to points.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { InstrumentType } from "../db/schema.ts";
import { FUNDS } from "../instruments/accounts.ts";
import { CUSTOMER_POINTS, POINTS } from "../ledger/accounts.ts";
import {
  addDays,
  daysOf,
  inCategory,
  type ReportFilters,
  type ReportScope,
  transactionDays,
} from "./filters.ts";

export interface SeriesOwed {
  seriesId: string;
  name: string;
  type: InstrumentType;
  currency: string;
  /** Minor units owed at the end of each day of the period, in the order of `days`. */
  owed: number[];
}

export interface Liability {
  days: string[];
  /** Points owed to members at the end of each day, hundredths. */
  points: number[];
  /** Those points in minor units of `currency` (points × pointValue, rounded to the unit). */
  pointsMoney: number[];
  currency: string;
  pointValue: number;
  series: SeriesOwed[];
}

/** Hundredths of a point in minor units at `pointValue` minor units a point, to the unit. */
export const pointsWorth = (hundredths: number, pointValue: number) =>
  Math.round(hundredths * pointValue / 100);

/** Running balances: the sum of everything before the period, then each day's moves. */
function running(days: string[], before: number, moves: Map<string, number>): number[] {
  let balance = before;
  return days.map((d) => (balance += moves.get(d) ?? 0));
}

/** Three statements. */
export async function liabilityByDay(
  db: Db,
  scope: ReportScope,
  f: ReportFilters,
  opts: { currency: string; pointValue: number },
): Promise<Liability> {
  const days = daysOf(f.from, f.to);
  // A day before the period carries everything up to it; each day of it its own moves.
  const dayOf = sql`greatest(d.day, ${f.from}::date - 1)`;
  const [points, cards, seriesRows] = await Promise.all([
    sql<{ day: string; moved: string }>`
      select to_char(${dayOf}, 'YYYY-MM-DD') as day, sum(e.amount)::text as moved
      from ${transactionDays(scope)} d
      join ledger_entries e on e.transaction_id = d.id
      join ledger_accounts a on a.id = e.account_id
      where a.code = ${CUSTOMER_POINTS} and a.unit = ${POINTS} and a.customer_id is not null
        and d.day <= ${f.to}::date and ${inCategory("a.customer_id", f)}
      group by 1`.execute(db),
    sql<{ series_id: string; day: string; moved: string }>`
      select i.series_id, to_char(${dayOf}, 'YYYY-MM-DD') as day, sum(e.amount)::text as moved
      from ${transactionDays(scope)} d
      join ledger_entries e on e.transaction_id = d.id
      join ledger_accounts a on a.id = e.account_id
      join instruments i on i.id = a.instrument_id
      where a.code = ${FUNDS} and d.day <= ${f.to}::date
      group by 1, 2`.execute(db),
    db.selectFrom("series").select(["id", "name", "type", "currency"])
      .where("group_id", "=", scope.group.id).where("type", "in", ["gift-card", "store-credit"])
      .orderBy("name").orderBy("id").execute(),
  ]);
  const before = addDays(f.from, -1);
  const pointMoves = new Map(points.rows.map((r) => [r.day, Number(r.moved)]));
  const owedPoints = running(days, pointMoves.get(before) ?? 0, pointMoves);
  return {
    days,
    points: owedPoints,
    pointsMoney: owedPoints.map((p) => pointsWorth(p, opts.pointValue)),
    currency: opts.currency,
    pointValue: opts.pointValue,
    series: seriesRows.map((s) => {
      const moves = new Map(
        cards.rows.filter((r) => r.series_id === s.id).map((r) => [r.day, Number(r.moved)]),
      );
      return {
        seriesId: s.id,
        name: s.name,
        type: s.type,
        currency: s.currency,
        owed: running(days, moves.get(before) ?? 0, moves),
      };
    }),
  };
}
