/** The API shapes of the reports: the query, and each report's figures. */
import { z } from "@hono/zod-openapi";
import { MinorUnits } from "../money/minor_units.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import { MAX_DAYS } from "./filters.ts";
import type { Report } from "./report.ts";
import { REPORT_NAMES } from "./tables.ts";

const query = (name: string, description: string) =>
  z.string().optional().openapi({ param: { name, in: "query" }, description });

/** Checked by `parseFilters` against the group (a 422 names the field at fault). */
export const ReportQuery = z.object({
  from: query(
    "from",
    "The first trading day (YYYY-MM-DD, on the stores' clocks); 29 days before `to` when absent",
  ),
  to: query("to", `The last trading day, included; today when absent. At most ${MAX_DAYS} days`),
  store: query("store", "Only this store's figures: the id of a store of the group"),
  category: query("category", "Only customers of this type (category 1 code)"),
  format: z.enum(["json", "csv"], { error: "json or csv" }).optional().openapi({
    param: { name: "format", in: "query" },
    description: "`csv`: the report's table as RFC 4180 CSV with a header line, exactly the " +
      "table under the report's chart in the console (points and money as decimals, shares " +
      "as fractions of 1); `json` (default): the figures",
  }),
});

export const ReportNameParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, format: "uuid" }),
  name: z.enum(REPORT_NAMES).openapi({
    param: { name: "name", in: "path" },
    description: "`points` (issued, redeemed, adjusted, reversed per day), `members` (member " +
      "and non-member transactions and spend per store and day), `activity` (active and new " +
      "members, visits), `liability` (points and card money owed at the end of each day), " +
      "`rules` (top rules by points awarded)",
  }),
});

const Points = z.number().openapi({ description: "Points, two decimals" });
const Day = z.string().openapi({ format: "date" });
const Share = z.number().nullable().openapi({
  description: "A fraction of 1; null when nothing was spent",
});

const PointsDay = z.object({
  day: Day,
  issued: Points,
  reversed: Points.openapi({ description: "Of the points issued, taken back by returns" }),
  redeemed: Points.openapi({ description: "Spent as tender" }),
  refunded: Points.openapi({ description: "Of the points spent, given back by returns" }),
  adjusted: Points.openapi({ description: "Staff's manual adjustments, signed" }),
  net: Points.openapi({ description: "issued − reversed − redeemed + refunded + adjusted" }),
});

const StoreDay = z.object({
  day: Day,
  storeId: z.string(),
  storeNumber: z.number().int(),
  storeName: z.string(),
  memberTransactions: z.number().int(),
  memberSpend: MinorUnits,
  nonMemberTransactions: z.number().int(),
  nonMemberSpend: MinorUnits,
});

export const ReportSchema = z.object({
  report: z.enum(REPORT_NAMES),
  from: Day,
  to: Day,
  storeId: z.string().nullable(),
  category: z.string().nullable(),
  currency: z.string().openapi({ description: "ISO 4217 code of the group's money figures" }),
  points: z.array(PointsDay).optional().openapi({ description: "`points`: every day" }),
  members: z.object({
    rows: z.array(StoreDay).openapi({ description: "Store days with a transaction" }),
    memberShare: Share.openapi({ description: "The period's member spend over all spend" }),
  }).optional(),
  activity: z.object({
    days: z.array(z.object({
      day: Day,
      activeMembers: z.number().int(),
      newMembers: z.number().int(),
      visits: z.number().int(),
    })),
    activeMembers: z.number().int().openapi({ description: "Members with a sale in the period" }),
    newMembers: z.number().int(),
    visits: z.number().int(),
    visitsPerMember: z.number().nullable(),
  }).optional(),
  liability: z.object({
    pointValue: MinorUnits.openapi({ description: "The setting `pointValue`" }),
    days: z.array(z.object({
      day: Day,
      points: Points.openapi({ description: "Points owed to members at the end of the day" }),
      pointsMoney: MinorUnits.openapi({ description: "Those points × pointValue" }),
    })),
    series: z.array(z.object({
      seriesId: z.string(),
      name: z.string(),
      type: z.enum(["gift-card", "store-credit"]),
      currency: z.string(),
      owed: z.array(MinorUnits).openapi({ description: "Owed at the end of each day" }),
    })),
  }).optional(),
  rules: z.array(z.object({
    ruleId: z.string(),
    name: z.string(),
    points: Points,
    sales: z.number().int(),
  })).optional().openapi({ description: "`rules`: at most ten, most points first" }),
}).openapi("Report");

const pts = hundredthsToNumber;

export function reportJson(r: Report): z.infer<typeof ReportSchema> {
  const f = r.figures;
  const base = {
    report: f.name,
    from: r.filters.from,
    to: r.filters.to,
    storeId: r.filters.storeId ?? null,
    category: r.filters.category ?? null,
    currency: r.currency,
  };
  switch (f.name) {
    case "points":
      return {
        ...base,
        points: f.days.map((d) => ({
          day: d.day,
          issued: pts(d.issued),
          reversed: pts(d.reversed),
          redeemed: pts(d.redeemed),
          refunded: pts(d.refunded),
          adjusted: pts(d.adjusted),
          net: pts(d.net),
        })),
      };
    case "members":
      return { ...base, members: { rows: f.spend.rows, memberShare: f.spend.memberShare } };
    case "activity":
      return { ...base, activity: f.activity };
    case "liability": {
      const l = f.liability;
      return {
        ...base,
        liability: {
          pointValue: l.pointValue,
          days: l.days.map((day, i) => ({
            day,
            points: pts(l.points[i]),
            pointsMoney: l.pointsMoney[i],
          })),
          series: l.series.map((s) => ({ ...s, type: s.type as "gift-card" | "store-credit" })),
        },
      };
    }
    case "rules":
      return { ...base, rules: f.rules.map((r) => ({ ...r, points: pts(r.points) })) };
  }
}
