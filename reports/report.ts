/**
 * One report of a group, asked by name: its figures (the API's JSON) and its table (the page's
 * table and the CSV). Everything is read from the sales and ledger rows, never from the
 * statistics counters, which sales update and a rebuild may change.
 */
import type { Db } from "../db/connection.ts";
import { getSettings } from "../programme/settings.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { type Activity, memberActivity } from "./activity.ts";
import type { ReportFilters, ReportScope } from "./filters.ts";
import { type Liability, liabilityByDay } from "./liability.ts";
import { groupCurrency, type MemberSpend, memberSpend } from "./members.ts";
import { pointsByDay, type PointsDay } from "./points.ts";
import {
  activityTable,
  liabilityTable,
  membersTable,
  pointsTable,
  type ReportName,
  type ReportTable,
  rulesTable,
} from "./tables.ts";
import { type RulePoints, topRules } from "./top_rules.ts";

export type Figures =
  | { name: "points"; days: PointsDay[] }
  | { name: "members"; spend: MemberSpend }
  | { name: "activity"; activity: Activity }
  | { name: "liability"; liability: Liability }
  | { name: "rules"; rules: RulePoints[] };

export interface Report {
  filters: ReportFilters;
  currency: string;
  figures: Figures;
  table: ReportTable;
}

/** What every report of a group reads once: its currency and settings. */
export interface ReportContext {
  scope: ReportScope;
  currency: string;
  settings: LoyaltySettings;
}

export async function reportContext(db: Db, scope: ReportScope): Promise<ReportContext> {
  const [currency, { settings }] = await Promise.all([
    groupCurrency(db, scope),
    getSettings(db, scope.group),
  ]);
  return { scope, currency, settings };
}

export async function figuresOf(
  db: Db,
  ctx: ReportContext,
  name: ReportName,
  f: ReportFilters,
): Promise<Figures> {
  switch (name) {
    case "points":
      return { name, days: await pointsByDay(db, ctx.scope, f) };
    case "members":
      return { name, spend: await memberSpend(db, ctx.scope, f, ctx.currency) };
    case "activity":
      return { name, activity: await memberActivity(db, ctx.scope, f, ctx.settings) };
    case "liability":
      return {
        name,
        liability: await liabilityByDay(db, ctx.scope, f, {
          currency: ctx.currency,
          pointValue: ctx.settings.pointValue,
        }),
      };
    case "rules":
      return { name, rules: await topRules(db, ctx.scope, f) };
  }
}

export function tableOf(figures: Figures): ReportTable {
  switch (figures.name) {
    case "points":
      return pointsTable(figures.days);
    case "members":
      return membersTable(figures.spend);
    case "activity":
      return activityTable(figures.activity);
    case "liability":
      return liabilityTable(figures.liability);
    case "rules":
      return rulesTable(figures.rules);
  }
}

export async function runReport(
  db: Db,
  ctx: ReportContext,
  name: ReportName,
  filters: ReportFilters,
): Promise<Report> {
  const figures = await figuresOf(db, ctx, name, filters);
  return { filters, currency: ctx.currency, figures, table: tableOf(figures) };
}
