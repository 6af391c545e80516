/**
 * Members' activity from the sales and customers rows: members active (a member sale), visits
 * (member sales; one per member and day when `multipleSalesInOneDayCountAsOneVisit` is on, as
 * the member statistics count them) and new members (customers created, of a type that is a
 * member, on their home store's clock, else the group's).
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { atStore, daysOf, inCategory, type ReportFilters, type ReportScope } from "./filters.ts";

export interface ActivityDay {
  day: string;
  activeMembers: number;
  newMembers: number;
  visits: number;
}

export interface Activity {
  days: ActivityDay[];
  /** Members with a sale in the period (each once). */
  activeMembers: number;
  newMembers: number;
  visits: number;
  /** visits ÷ activeMembers (null without an active member). */
  visitsPerMember: number | null;
}

/** Visits per member, as shown: null without an active member. */
export const visitsPerMember = (visits: number, active: number) => active ? visits / active : null;

/** Three statements. */
export async function memberActivity(
  db: Db,
  scope: ReportScope,
  f: ReportFilters,
  settings: LoyaltySettings,
): Promise<Activity> {
  const visit = settings.multipleSalesInOneDayCountAsOneVisit
    ? sql`count(distinct s.customer_id)`
    : sql`count(*)`;
  const memberSales = sql`from sales s
    where s.group_id = ${scope.group.id}::uuid and s.kind = 'sale' and s.member
      and s.customer_id is not null
      and s.trading_day between ${f.from}::date and ${f.to}::date
      and ${atStore("s.store_id", f)} and ${inCategory("s.customer_id", f)}`;
  const [perDay, period, created] = await Promise.all([
    sql<{ day: string; active: string; visits: string }>`
      select to_char(s.trading_day, 'YYYY-MM-DD') as day,
        count(distinct s.customer_id)::text as active, (${visit})::text as visits
      ${memberSales} group by s.trading_day`.execute(db),
    sql<{ active: string }>`select count(distinct s.customer_id)::text as active ${memberSales}`
      .execute(db),
    sql<{ day: string; created: string }>`
      select to_char(c.day, 'YYYY-MM-DD') as day, count(*)::text as created
      from (select c.id, c.home_store_id,
          (c.created_at at time zone coalesce(hs.timezone, ${scope.timezone}))::date as day
        from customers c left join stores hs on hs.id = c.home_store_id
        where c.group_id = ${scope.group.id}::uuid
          and not (upper(coalesce(c.categories[1], '')) = any(${settings.nonLoyaltyCategoryCodes}::text[]))) c
      where c.day between ${f.from}::date and ${f.to}::date
        and ${atStore("c.home_store_id", f)} and ${inCategory("c.id", f)}
      group by c.day`.execute(db),
  ]);
  const active = new Map(perDay.rows.map((r) => [r.day, r]));
  const fresh = new Map(created.rows.map((r) => [r.day, Number(r.created)]));
  const days = daysOf(f.from, f.to).map((day) => ({
    day,
    activeMembers: Number(active.get(day)?.active ?? 0),
    newMembers: fresh.get(day) ?? 0,
    visits: Number(active.get(day)?.visits ?? 0),
  }));
  const activeMembers = Number(period.rows[0]?.active ?? 0);
  const visits = days.reduce((s, d) => s + d.visits, 0);
  return {
    days,
    activeMembers,
    newMembers: days.reduce((s, d) => s + d.newMembers, 0),
    visits,
    visitsPerMember: visitsPerMember(visits, activeMembers),
  };
}
