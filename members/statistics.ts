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

/** What a sale or a return changes in the statistics. */
export interface StatisticsMove {
  orgId: string;
  groupId: string;
  storeId: string;
  /** The identified customer; null for an anonymous sale. */
  customerId: string | null;
  /**
   * A member transaction (the evaluation's `member`): counted per customer and as a member
   * transaction of the store's day. Anonymous, non-programme and non-loyalty customers are
   * counted only as non-member transactions of the day.
   */
  member: boolean;
  /** The store's trading day of the transaction (YYYY-MM-DD on the store's clock). */
  tradingDay: string;
  /** Net value in minor units, positive (a return's value given back). */
  total: number;
}

/**
 * Adds a sale to the statistics: the member's visits, sales count, spend, first and last
 * visit, and the store's day. The member's trading days are kept in customer_visit_days
 * whatever the setting, so a rebuild — and a later change of the setting — can count them;
 * with `oneVisitPerDay` (multipleSalesInOneDayCountAsOneVisit) a sale is a visit only when its
 * day was new for the member. Three statements for a member, one otherwise; rows are locked
 * in the same order by every sale (visit day, customer, store day), so sales never deadlock
 * on them.
 */
export async function recordSaleStatistics(
  db: Db,
  sale: StatisticsMove & { at: Date | string },
  opts: { oneVisitPerDay: boolean },
): Promise<void> {
  if (sale.member && sale.customerId) {
    const newDay = await db.insertInto("customer_visit_days")
      .values({ customer_id: sale.customerId, trading_day: sale.tradingDay, org_id: sale.orgId })
      .onConflict((oc) => oc.constraint("customer_visit_days_pk").doNothing())
      .returning("customer_id").executeTakeFirst();
    const visit = !opts.oneVisitPerDay || newDay !== undefined;
    await sql`insert into customer_statistics as s
        (customer_id, org_id, visits, sales_count, spend, first_visit, last_visit)
      values (${sale.customerId}::uuid, ${sale.orgId}::uuid, ${visit ? 1 : 0}, 1,
        ${sale.total}::bigint, ${sale.at}::timestamptz, ${sale.at}::timestamptz)
      on conflict (customer_id) do update set
        visits = s.visits + excluded.visits,
        sales_count = s.sales_count + 1,
        spend = s.spend + excluded.spend,
        first_visit = least(s.first_visit, excluded.first_visit),
        last_visit = greatest(s.last_visit, excluded.last_visit)`.execute(db);
  }
  await addToStoreDay(db, sale, 1, sale.total);
}

/**
 * Takes a return off the statistics: the member's spend and the store day's total of its kind
 * go down by the value given back; visits, sales counts and transaction counts never change
 * (seed 004: a return is not a visit and does not undo one). Recorded on the return's own
 * store and trading day.
 */
export async function recordReturnStatistics(db: Db, ret: StatisticsMove): Promise<void> {
  if (ret.member && ret.customerId) {
    await sql`insert into customer_statistics as s (customer_id, org_id, spend)
      values (${ret.customerId}::uuid, ${ret.orgId}::uuid, ${-ret.total}::bigint)
      on conflict (customer_id) do update set spend = s.spend + excluded.spend`.execute(db);
  }
  await addToStoreDay(db, ret, 0, -ret.total);
}

async function addToStoreDay(db: Db, move: StatisticsMove, count: number, total: number) {
  const m = move.member;
  await sql`insert into store_day_statistics as s (store_id, trading_day, org_id, group_id,
      member_count, member_total, non_member_count, non_member_total)
    values (${move.storeId}::uuid, ${move.tradingDay}::date, ${move.orgId}::uuid,
      ${move.groupId}::uuid, ${m ? count : 0}, ${m ? total : 0}::bigint, ${m ? 0 : count},
      ${m ? 0 : total}::bigint)
    on conflict (store_id, trading_day) do update set
      member_count = s.member_count + excluded.member_count,
      member_total = s.member_total + excluded.member_total,
      non_member_count = s.non_member_count + excluded.non_member_count,
      non_member_total = s.non_member_total + excluded.non_member_total`.execute(db);
}
