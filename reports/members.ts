/**
 * Member and non-member transactions and spend per store and trading day, from the sales rows
 * (seed 004's member statistics, recomputed: a sale counts one transaction and adds its total,
 * a return takes its value off the spend of its kind on its own store and day).
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { atStore, inCategory, type ReportFilters, type ReportScope } from "./filters.ts";

export interface StoreDay {
  day: string;
  storeId: string;
  storeNumber: number;
  storeName: string;
  memberTransactions: number;
  /** Minor units: member sales less member returns. */
  memberSpend: number;
  nonMemberTransactions: number;
  nonMemberSpend: number;
}

export interface MemberSpend {
  currency: string;
  /** Store days with a transaction, by day then store number. */
  rows: StoreDay[];
  /** The period's member spend over all spend, 0 to 1 (null without spend). */
  memberShare: number | null;
}

/** The member share of a spend split: null when nothing was spent. */
export const memberShare = (member: number, nonMember: number) =>
  member + nonMember > 0 ? member / (member + nonMember) : null;

/** One statement; `currency` is the group's (see `groupCurrency`). */
export async function memberSpend(
  db: Db,
  scope: ReportScope,
  f: ReportFilters,
  currency: string,
): Promise<MemberSpend> {
  const rows = await sql<{
    day: string;
    store_id: string;
    number: number;
    name: string;
    member_count: string;
    member_spend: string;
    non_member_count: string;
    non_member_spend: string;
  }>`
    select to_char(s.trading_day, 'YYYY-MM-DD') as day, st.id as store_id, st.number, st.name,
      count(*) filter (where s.kind = 'sale' and s.member)::text as member_count,
      coalesce(sum(case when s.kind = 'sale' then s.total else -s.total end)
        filter (where s.member), 0)::text as member_spend,
      count(*) filter (where s.kind = 'sale' and not s.member)::text as non_member_count,
      coalesce(sum(case when s.kind = 'sale' then s.total else -s.total end)
        filter (where not s.member), 0)::text as non_member_spend
    from sales s join stores st on st.id = s.store_id
    where s.group_id = ${scope.group.id}::uuid
      and s.trading_day between ${f.from}::date and ${f.to}::date
      and ${atStore("s.store_id", f)} and ${inCategory("s.customer_id", f)}
    group by s.trading_day, st.id, st.number, st.name
    order by s.trading_day, st.number, st.id`.execute(db);
  const out = rows.rows.map((r) => ({
    day: r.day,
    storeId: r.store_id,
    storeNumber: r.number,
    storeName: r.name,
    memberTransactions: Number(r.member_count),
    memberSpend: Number(r.member_spend),
    nonMemberTransactions: Number(r.non_member_count),
    nonMemberSpend: Number(r.non_member_spend),
  }));
  const sum = (k: "memberSpend" | "nonMemberSpend") => out.reduce((s, r) => s + r[k], 0);
  return {
    currency,
    rows: out,
    memberShare: memberShare(sum("memberSpend"), sum("nonMemberSpend")),
  };
}

/**
 * The currency the group's figures are in: that of its latest sale, else of its first card
 * series, else EUR (a group with neither has no money figure to show).
 */
export async function groupCurrency(
  db: Db,
  scope: { group: Pick<ReportScope["group"], "id"> },
): Promise<string> {
  const sale = await db.selectFrom("sales").select("currency")
    .where("group_id", "=", scope.group.id).orderBy("at", "desc").limit(1).executeTakeFirst();
  if (sale) return sale.currency;
  const series = await db.selectFrom("series").select("currency")
    .where("group_id", "=", scope.group.id).orderBy("created_at").limit(1).executeTakeFirst();
  return series?.currency ?? "EUR";
}
