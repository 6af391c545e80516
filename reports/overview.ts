/**
 * The overview's headline figures of a group: the last 30 trading days against the 30 before,
 * from the same services as the reports (so the overview and the reports never disagree).
 */
import type { Db } from "../db/connection.ts";
import { memberActivity } from "./activity.ts";
import { addDays, DEFAULT_DAYS, defaultPeriod, type ReportFilters } from "./filters.ts";
import { liabilityByDay } from "./liability.ts";
import { memberSpend } from "./members.ts";
import { pointsByDay, type PointsDay } from "./points.ts";
import type { ReportContext } from "./report.ts";

/** One headline figure now and in the period before. */
export interface Headline<T> {
  now: T;
  before: T;
}

export interface Overview {
  period: ReportFilters;
  previous: ReportFilters;
  currency: string;
  /** Hundredths. */
  issued: Headline<number>;
  redeemed: Headline<number>;
  /** Points owed at the end of each period, hundredths, and their worth (minor units). */
  liabilityPoints: Headline<number>;
  liabilityMoney: Headline<number>;
  memberShare: Headline<number | null>;
  activeMembers: Headline<number>;
  /** The last 30 days' points, for the small chart. */
  days: PointsDay[];
}

/** The reports' statements over the two periods, run side by side. */
export async function overview(db: Db, ctx: ReportContext, now = new Date()): Promise<Overview> {
  const period = defaultPeriod(ctx.scope, now);
  const previous = { from: addDays(period.from, -DEFAULT_DAYS), to: addDays(period.from, -1) };
  const both = { from: previous.from, to: period.to };
  const [points, liability, spendNow, spendBefore, activeNow, activeBefore] = await Promise.all([
    pointsByDay(db, ctx.scope, both),
    liabilityByDay(db, ctx.scope, both, {
      currency: ctx.currency,
      pointValue: ctx.settings.pointValue,
    }),
    memberSpend(db, ctx.scope, period, ctx.currency),
    memberSpend(db, ctx.scope, previous, ctx.currency),
    memberActivity(db, ctx.scope, period, ctx.settings),
    memberActivity(db, ctx.scope, previous, ctx.settings),
  ]);
  const days = points.slice(DEFAULT_DAYS);
  const sum = (ds: PointsDay[], k: "issued" | "redeemed") => ds.reduce((s, d) => s + d[k], 0);
  const end = liability.days.length - 1;
  const mid = DEFAULT_DAYS - 1;
  return {
    period,
    previous,
    currency: ctx.currency,
    issued: { now: sum(days, "issued"), before: sum(points.slice(0, DEFAULT_DAYS), "issued") },
    redeemed: {
      now: sum(days, "redeemed"),
      before: sum(points.slice(0, DEFAULT_DAYS), "redeemed"),
    },
    liabilityPoints: { now: liability.points[end], before: liability.points[mid] },
    liabilityMoney: { now: liability.pointsMoney[end], before: liability.pointsMoney[mid] },
    memberShare: { now: spendNow.memberShare, before: spendBefore.memberShare },
    activeMembers: { now: activeNow.activeMembers, before: activeBefore.activeMembers },
    days,
  };
}
