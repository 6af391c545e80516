import { sql } from "kysely";
import type { Db } from "../db/connection.ts";

/** Seed 004's member statistics of one customer; zeros and nulls before their first sale. */
export interface MemberStatistics {
  visits: number;
  salesCount: number;
  /** Minor units: sales less returns. */
  spend: number;
  firstVisit: Date | null;
  lastVisit: Date | null;
}

/** What the console and the POS show beside a customer: balances, key line total, statistics. */
export interface CustomerFigures {
  /** The points balance, hundredths. */
  points: number;
  /** Seed 004's key line total, hundredths; null when the programme does not show it. */
  keyLineTotal: number | null;
  statistics: MemberStatistics;
}

export const NO_STATISTICS: MemberStatistics = {
  visits: 0,
  salesCount: 0,
  spend: 0,
  firstVisit: null,
  lastVisit: null,
};

/** The statistics of each customer, by id (NO_STATISTICS for one without a sale). */
export async function statisticsOf(
  db: Db,
  customerIds: readonly string[],
): Promise<Map<string, MemberStatistics>> {
  const out = new Map(customerIds.map((id) => [id, NO_STATISTICS]));
  if (!customerIds.length) return out;
  const rows = await db.selectFrom("customer_statistics").selectAll()
    .where("customer_id", "in", customerIds).execute();
  for (const r of rows) {
    out.set(r.customer_id, {
      visits: r.visits,
      salesCount: r.sales_count,
      spend: r.spend,
      firstVisit: r.first_visit,
      lastVisit: r.last_visit,
    });
  }
  return out;
}

// ---- the write side: sales and returns call these in their own transaction ----

/**
 * What a sale or a return changes in the member statistics. A store's day (the
 * store_day_statistics view, migration 0017) is summed from the sales themselves: no row every
 * sale of a store would update.
 */
export interface StatisticsMove {
  orgId: string;
  /** The identified customer; null for an anonymous sale. */
  customerId: string | null;
  /**
   * A member transaction (the evaluation's `member`): counted per customer. Anonymous,
   * non-programme and non-loyalty customers are not (the store's day counts them as
   * non-member transactions).
   */
  member: boolean;
  /** The store's trading day of the transaction (YYYY-MM-DD on the store's clock). */
  tradingDay: string;
  /** Net value in minor units, positive (a return's value given back). */
  total: number;
}

/**
 * Adds a sale to the member's statistics: visits, sales count, spend, first and last visit.
 * The member's trading days are kept in customer_visit_days whatever the setting, so a
 * rebuild — and a later change of the setting — can count them; with `oneVisitPerDay`
 * (multipleSalesInOneDayCountAsOneVisit) a sale is a visit only when its day was new for the
 * member. One statement (the visit day and the customer's row, in that order, locked only by
 * sales of the same member), none for a non-member.
 */
export async function recordSaleStatistics(
  db: Db,
  sale: StatisticsMove & { at: Date | string },
  opts: { oneVisitPerDay: boolean },
): Promise<void> {
  if (!sale.member || !sale.customerId) return;
  await sql`with day as (
      insert into customer_visit_days (customer_id, trading_day, org_id)
      values (${sale.customerId}::uuid, ${sale.tradingDay}::date, ${sale.orgId}::uuid)
      on conflict on constraint customer_visit_days_pk do nothing returning 1)
    insert into customer_statistics as s
      (customer_id, org_id, visits, sales_count, spend, first_visit, last_visit)
    select ${sale.customerId}::uuid, ${sale.orgId}::uuid,
      case when ${!opts.oneVisitPerDay}::boolean or exists (select from day) then 1 else 0 end, 1,
      ${sale.total}::bigint, ${sale.at}::timestamptz, ${sale.at}::timestamptz
    on conflict (customer_id) do update set
      visits = s.visits + excluded.visits,
      sales_count = s.sales_count + 1,
      spend = s.spend + excluded.spend,
      first_visit = least(s.first_visit, excluded.first_visit),
      last_visit = greatest(s.last_visit, excluded.last_visit)`.execute(db);
}

/**
 * Takes a return off the member's statistics: spend goes down by the value given back; visits
 * and sales counts never change (seed 004: a return is not a visit and does not undo one).
 */
export async function recordReturnStatistics(db: Db, ret: StatisticsMove): Promise<void> {
  if (!ret.member || !ret.customerId) return;
  await sql`insert into customer_statistics as s (customer_id, org_id, spend)
    values (${ret.customerId}::uuid, ${ret.orgId}::uuid, ${-ret.total}::bigint)
    on conflict (customer_id) do update set spend = s.spend + excluded.spend`.execute(db);
}
