/**
 * The earning rules that awarded most points in the period, from what each sale's lines earned
 * per rule (sale_awards) — coupons' bonus points are no rule's. A rule is named as the latest
 * published version that holds it calls it.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { atStore, inCategory, type ReportFilters, type ReportScope } from "./filters.ts";

/** How many rules the report lists. */
export const TOP_RULES = 10;

export interface RulePoints {
  ruleId: string;
  /** The rule's name in the latest version that has it (its id when none does). */
  name: string;
  /** Points awarded by the period's sales, hundredths (before any return). */
  points: number;
  /** Sales it awarded points to. */
  sales: number;
}

/** Two statements. */
export async function topRules(
  db: Db,
  scope: ReportScope,
  f: ReportFilters,
): Promise<RulePoints[]> {
  const [rows, versions] = await Promise.all([
    sql<{ rule_id: string; points: string; sales: string }>`
      select w.rule_id, sum(w.points)::text as points, count(distinct w.sale_id)::text as sales
      from sales s join sale_awards w on w.sale_id = s.id
      where s.group_id = ${scope.group.id}::uuid and s.kind = 'sale'
        and s.trading_day between ${f.from}::date and ${f.to}::date
        and ${atStore("s.store_id", f)} and ${inCategory("s.customer_id", f)}
      group by w.rule_id
      order by sum(w.points) desc, w.rule_id
      limit ${TOP_RULES}`.execute(db),
    db.selectFrom("rule_set_versions").select("rules")
      .where("group_id", "=", scope.group.id).orderBy("version").execute(),
  ]);
  const names = new Map<string, string>();
  for (const v of versions) {
    for (const r of v.rules as { id?: unknown; name?: unknown }[]) {
      if (typeof r.id === "string" && typeof r.name === "string") names.set(r.id, r.name);
    }
  }
  return rows.rows.map((r) => ({
    ruleId: r.rule_id,
    name: names.get(r.rule_id) ?? r.rule_id,
    points: Number(r.points),
    sales: Number(r.sales),
  }));
}
