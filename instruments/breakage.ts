/**
 * Breakage: the money of gift cards and store credit voided with a balance, written off from
 * the ledger by the void (instruments/activities.ts) against the series' breakage account. The
 * report reads that account's entries, never a counter: each write-off is one entry of one
 * void's ledger transaction.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { InstrumentType } from "../db/schema.ts";
import { breakageCode } from "./accounts.ts";

/** One series' breakage over the period asked. */
export interface SeriesBreakage {
  seriesId: string;
  name: string;
  type: InstrumentType;
  currency: string;
  /** Cards voided with a balance. */
  cards: number;
  /** Minor units of `currency` written off. */
  writtenOff: number;
}

/** A period of whole days, both ends included, in UTC (`YYYY-MM-DD`); either end open. */
export interface Period {
  from?: string;
  to?: string;
}

/**
 * The breakage of each gift-card and store-credit series of the group (0 where none), by name:
 * voids whose ledger transaction is dated in the period. One statement.
 */
export async function breakageBySeries(
  db: Db,
  groupId: string,
  period: Period = {},
): Promise<SeriesBreakage[]> {
  // Days in UTC whatever the session's time zone.
  const utc = (day: string) => sql`(${day}::date::timestamp at time zone 'UTC')`;
  const from = period.from ? sql`and t.at >= ${utc(period.from)}` : sql``;
  const to = period.to ? sql`and t.at < ${utc(period.to)} + interval '1 day'` : sql``;
  const rows = await sql<{
    id: string;
    name: string;
    type: InstrumentType;
    currency: string;
    cards: string;
    written_off: string;
  }>`
    select s.id, s.name, s.type, s.currency,
      count(w.transaction_id)::text as cards, coalesce(sum(w.amount), 0)::text as written_off
    from series s
    left join lateral (
      select e.transaction_id, e.amount
      from ledger_accounts a
      join ledger_entries e on e.account_id = a.id
      join ledger_transactions t on t.id = e.transaction_id
      where a.group_id = s.group_id and a.code = ${breakageCode("")} || s.id::text
        and a.unit = s.currency and a.customer_id is null and a.instrument_id is null
        ${from} ${to}
    ) w on true
    where s.group_id = ${groupId}::uuid and s.type in ('gift-card', 'store-credit')
    group by s.id, s.name, s.type, s.currency
    order by s.name, s.id`.execute(db);
  return rows.rows.map((r) => ({
    seriesId: r.id,
    name: r.name,
    type: r.type,
    currency: r.currency,
    cards: Number(r.cards),
    writtenOff: Number(r.written_off),
  }));
}
