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
