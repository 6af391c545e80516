/**
 * Where a card's money is in the ledger: the instrument's own account (FUNDS, in its series'
 * currency) against the programme's accounts of its series. A load credits the card and debits
 * the series' liability account, a redemption the reverse. Voiding a card with money on it
 * writes that money off (breakage): the card goes to zero against the series' breakage account,
 * money the programme no longer owes. So the programme's side of a series (liability plus
 * breakage) is always minus the sum of its card balances: what it owes its card holders.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { AccountKey } from "../ledger/accounts.ts";

/** An instrument's money. */
export const FUNDS = "FUNDS";

/** The code of the programme's liability account of one series. */
export const liabilityCode = (seriesId: string) => `LIABILITY:${seriesId}`;

/** The code of the programme's breakage account of one series: what voids wrote off. */
export const breakageCode = (seriesId: string) => `BREAKAGE:${seriesId}`;

/** The money account of an instrument. */
export const instrumentFunds = (
  i: { org_id: string; group_id: string; id: string },
  currency: string,
): AccountKey => ({
  orgId: i.org_id,
  groupId: i.group_id,
  instrumentId: i.id,
  code: FUNDS,
  unit: currency,
});

/** The programme's liability account of a series. */
export const seriesLiability = (
  s: { org_id: string; group_id: string; id: string; currency: string },
): AccountKey => ({
  orgId: s.org_id,
  groupId: s.group_id,
  code: liabilityCode(s.id),
  unit: s.currency,
});

/** The programme's breakage account of a series. */
export const seriesBreakage = (
  s: { org_id: string; group_id: string; id: string; currency: string },
): AccountKey => ({
  orgId: s.org_id,
  groupId: s.group_id,
  code: breakageCode(s.id),
  unit: s.currency,
});

/** What each series owes its card holders, in minor units, from both sides of the ledger. */
export interface Liability {
  /** The sum of the series' card balances. */
  outstanding: number;
  /** Minus the entries of the series' liability and breakage accounts (all their slots). */
  liability: number;
}

/** The liability of each series (0 for a series without money moved). Two statements. */
export async function seriesLiabilities(
  db: Db,
  seriesIds: readonly string[],
): Promise<Map<string, Liability>> {
  const result = new Map(seriesIds.map((id) => [id, { outstanding: 0, liability: 0 }]));
  if (!seriesIds.length) return result;
  const cards = await sql<{ series_id: string; total: string }>`
    select i.series_id, sum(a.balance)::text as total
    from instruments i join ledger_accounts a on a.instrument_id = i.id and a.code = ${FUNDS}
    where i.series_id = any(${[...seriesIds]}::uuid[]) group by i.series_id`.execute(db);
  for (const r of cards.rows) result.get(r.series_id)!.outstanding = Number(r.total);
  const codes = seriesIds.flatMap((id) => [liabilityCode(id), breakageCode(id)]);
  // The programme's accounts keep no balance (ledger/accounts.ts): their entries summed.
  const owed = await sql<{ code: string; total: string }>`
    select a.code, sum(e.amount)::text as total
    from ledger_accounts a join ledger_entries e on e.account_id = a.id
    where a.code = any(${codes}::text[]) and a.customer_id is null and a.instrument_id is null
    group by a.code`.execute(db);
  for (const r of owed.rows) {
    result.get(r.code.slice(r.code.indexOf(":") + 1))!.liability -= Number(r.total);
  }
  return result;
}
