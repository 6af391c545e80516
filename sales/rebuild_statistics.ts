/**
 * `deno task stats:rebuild`: recomputes the member statistics (customer_statistics,
 * customer_visit_days) from the recorded sales and returns, in one transaction, for every
 * organization (or one). The store days (store_day_statistics) are a view of the sales since
 * migration 0017: always right, nothing to rebuild; their count is reported. The incremental figures that sales and returns
 * write (members/statistics.ts) and the rebuilt ones are the same by construction — the test
 * compares them row for row.
 *
 * Visits are counted under each programme's CURRENT `multipleSalesInOneDayCountAsOneVisit`,
 * as seed 004's "Update Member Statistics" does: after the setting changes, a rebuild recounts
 * the history under the new rule, where the incremental figures changed only from then on.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { inTransaction } from "../db/transaction.ts";

export interface RebuiltCounts {
  customers: number;
  visitDays: number;
  storeDays: number;
}

/**
 * Rebuilds the statistics of `orgId` (all organizations when absent). Sales are locked out
 * (SHARE lock on `sales`) while it runs, so no sale lands between the delete and the insert;
 * a sale waits for the rebuild and is then counted incrementally on top of it.
 */
export async function rebuildStatistics(db: Db, orgId?: string): Promise<RebuiltCounts> {
  const inOrg = (column: string) => orgId ? sql`${sql.ref(column)} = ${orgId}::uuid` : sql`true`;
  return await inTransaction(db, async (tx) => {
    await sql`lock table sales in share mode`.execute(tx);
    for (const table of ["customer_visit_days", "customer_statistics"]) {
      await sql`delete from ${sql.table(table)} where ${inOrg("org_id")}`.execute(tx);
    }
    const days = await sql`insert into customer_visit_days (customer_id, trading_day, org_id)
      select distinct customer_id, trading_day, org_id from sales
      where kind = 'sale' and member and customer_id is not null and ${inOrg("org_id")}`
      .execute(tx);
    const customers = await sql`insert into customer_statistics
        (customer_id, org_id, visits, sales_count, spend, first_visit, last_visit)
      select s.customer_id, s.org_id,
        case when coalesce((ls.settings ->> 'multipleSalesInOneDayCountAsOneVisit')::boolean, false)
          then count(distinct s.trading_day) filter (where s.kind = 'sale')
          else count(*) filter (where s.kind = 'sale') end,
        count(*) filter (where s.kind = 'sale'),
        coalesce(sum(case when s.kind = 'sale' then s.total else -s.total end), 0),
        min(s.at) filter (where s.kind = 'sale'),
        max(s.at) filter (where s.kind = 'sale')
      from sales s join loyalty_settings ls on ls.group_id = s.group_id
      where s.member and s.customer_id is not null and ${inOrg("s.org_id")}
      group by s.customer_id, s.org_id, ls.settings ->> 'multipleSalesInOneDayCountAsOneVisit'`
      .execute(tx);
    const storeDays = await sql<{ n: string }>`select count(*)::text as n
      from store_day_statistics where ${inOrg("org_id")}`.execute(tx);
    return {
      customers: Number(customers.numAffectedRows ?? 0),
      visitDays: Number(days.numAffectedRows ?? 0),
      storeDays: Number(storeDays.rows[0].n),
    };
  });
}

if (import.meta.main) {
  const { connect } = await import("../db/connection.ts");
  const { loadConfig } = await import("../config.ts");
  const { isUuid } = await import("../db/errors.ts");
  const { migrateToLatest } = await import("../db/migrate.ts");
  const orgId = Deno.args[0];
  if (orgId !== undefined && !isUuid(orgId)) {
    console.error("usage: deno task stats:rebuild [organization id]");
    Deno.exit(2);
  }
  const config = loadConfig();
  const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
  try {
    // A database the server never started on has no tables yet: the same migrations first.
    await migrateToLatest(conn.db);
    const counts = await rebuildStatistics(conn.db, orgId);
    console.log(
      `statistics rebuilt from the sales: ${counts.customers} customers, ` +
        `${counts.visitDays} visit days, ${counts.storeDays} store days`,
    );
  } finally {
    await conn.close();
  }
}
