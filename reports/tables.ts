/**
 * Each report as the one table the page shows under its chart and the CSV download holds:
 * the same columns, the same rows, each cell typed so the page can format it for people
 * (web/format.ts) and the CSV can write it plainly (points and money as decimals, a share as
 * a fraction of 1).
 */
import { stringify } from "csv-stringify/sync";
import { decimalAmount } from "../money/amount.ts";
import type { Activity } from "./activity.ts";
import type { Liability } from "./liability.ts";
import type { MemberSpend } from "./members.ts";
import type { PointsDay } from "./points.ts";
import type { RulePoints } from "./top_rules.ts";

export type Cell =
  | { kind: "day" | "text"; value: string }
  | { kind: "count"; value: number }
  /** Hundredths of a point. */
  | { kind: "points"; value: number }
  /** Minor units of `currency`. */
  | { kind: "money"; value: number; currency: string }
  /** A fraction of 1; null when there is nothing to divide. */
  | { kind: "share" | "ratio"; value: number | null };

export interface ReportTable {
  columns: string[];
  rows: Cell[][];
}

export const REPORT_NAMES = ["points", "members", "activity", "liability", "rules"] as const;
export type ReportName = typeof REPORT_NAMES[number];

const day = (value: string): Cell => ({ kind: "day", value });
const count = (value: number): Cell => ({ kind: "count", value });
const points = (value: number): Cell => ({ kind: "points", value });
const money = (value: number, currency: string): Cell => ({ kind: "money", value, currency });

export function pointsTable(days: PointsDay[]): ReportTable {
  return {
    columns: [
      "Day",
      "Issued",
      "Reversed by returns",
      "Redeemed",
      "Given back by returns",
      "Adjusted",
      "Net",
    ],
    rows: days.map((d) => [
      day(d.day),
      points(d.issued),
      points(d.reversed),
      points(d.redeemed),
      points(d.refunded),
      points(d.adjusted),
      points(d.net),
    ]),
  };
}

export function membersTable(m: MemberSpend): ReportTable {
  const c = m.currency;
  return {
    columns: [
      "Day",
      "Store",
      "Member transactions",
      `Member spend (${c})`,
      "Non-member transactions",
      `Non-member spend (${c})`,
      "Member share of spend",
    ],
    rows: m.rows.map((r) => [
      day(r.day),
      { kind: "text", value: `${r.storeNumber} ${r.storeName}` },
      count(r.memberTransactions),
      money(r.memberSpend, c),
      count(r.nonMemberTransactions),
      money(r.nonMemberSpend, c),
      {
        kind: "share",
        value: r.memberSpend + r.nonMemberSpend > 0
          ? r.memberSpend / (r.memberSpend + r.nonMemberSpend)
          : null,
      },
    ]),
  };
}

export function activityTable(a: Activity): ReportTable {
  return {
    columns: ["Day", "Active members", "New members", "Visits", "Visits per member"],
    rows: a.days.map((d) => [
      day(d.day),
      count(d.activeMembers),
      count(d.newMembers),
      count(d.visits),
      { kind: "ratio", value: d.activeMembers ? d.visits / d.activeMembers : null },
    ]),
  };
}

export function liabilityTable(l: Liability): ReportTable {
  return {
    columns: [
      "Day",
      "Points owed",
      `Points owed (${l.currency})`,
      ...l.series.map((s) => `${s.name} (${s.currency})`),
    ],
    rows: l.days.map((d, i) => [
      day(d),
      points(l.points[i]),
      money(l.pointsMoney[i], l.currency),
      ...l.series.map((s) => money(s.owed[i], s.currency)),
    ]),
  };
}

export function rulesTable(rules: RulePoints[]): ReportTable {
  return {
    columns: ["Rule", "Rule id", "Points awarded", "Sales"],
    rows: rules.map((r) => [
      { kind: "text", value: r.name },
      { kind: "text", value: r.ruleId },
      points(r.points),
      count(r.sales),
    ]),
  };
}

/** A cell as the CSV writes it: plain, no grouping, no currency sign. */
export function plainCell(c: Cell): string {
  switch (c.kind) {
    case "day":
    case "text":
      return c.value;
    case "count":
      return String(c.value);
    case "points":
      return hundredths(c.value);
    case "money":
      return decimalAmount(c.value, c.currency);
    case "share":
    case "ratio":
      return c.value === null ? "" : c.value.toFixed(4);
  }
}

/** Hundredths as a decimal with two places: 1234 → "12.34", -5 → "-0.05". */
const hundredths = (n: number) => {
  const abs = String(Math.abs(n)).padStart(3, "0");
  return `${n < 0 ? "-" : ""}${abs.slice(0, -2)}.${abs.slice(-2)}`;
};

/** The table as RFC 4180 CSV with its header line (CRLF). */
export const tableCsv = (t: ReportTable) =>
  stringify([t.columns, ...t.rows.map((r) => r.map(plainCell))], { record_delimiter: "windows" });

/** The download's name: the group's name in safe characters, the report and its period. */
export const csvFileName = (group: string, name: ReportName, f: { from: string; to: string }) =>
  `${
    group.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "group"
  }-${name}-${f.from}-${f.to}.csv`;
