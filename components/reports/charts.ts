/** Each report's chart: what it draws from the report's figures, and its hover details. */
import { minorUnitDigits } from "../../money/currency.ts";
import { formatMoney } from "../../money/amount.ts";
import type { Figures } from "../../reports/report.ts";
import { formatDay } from "../../web/format.ts";
import { formatPoints } from "../customers/format.ts";
import { formatCount } from "../series/format.ts";
import type { ChartHoverProps } from "../../islands/ChartHover.tsx";
import { type ChartSeries, GRID, renderChart } from "./chart.ts";

/** A series with the formatter of its raw values (hundredths, minor units, counts). */
interface Drawn extends Omit<ChartSeries, "values"> {
  raw: number[];
  /** The raw value as the chart's axis counts it (points, currency units). */
  scale: (raw: number) => number;
  format: (raw: number) => string;
}

const pointsOf = (name: string, raw: number[], type: "bar" | "line" = "bar"): Drawn => ({
  name,
  type,
  raw,
  scale: (v) => v / 100,
  format: formatPoints,
});
const moneyOf = (name: string, raw: number[], currency: string, stack?: string): Drawn => ({
  name,
  type: stack ? "bar" : "line",
  stack,
  raw,
  scale: (v) => v / 10 ** minorUnitDigits(currency),
  format: (v) => formatMoney(v, currency),
});
const countOf = (name: string, raw: number[], type: "bar" | "line" = "bar"): Drawn => ({
  name,
  type,
  raw,
  scale: (v) => v,
  format: formatCount,
});

/** The categories and series a report draws. */
function drawing(f: Figures): { labels: string[]; series: Drawn[] } {
  switch (f.name) {
    case "points":
      return {
        labels: f.days.map((d) => d.day),
        series: [
          pointsOf("Issued", f.days.map((d) => d.issued)),
          pointsOf("Redeemed", f.days.map((d) => d.redeemed)),
          pointsOf("Adjusted", f.days.map((d) => d.adjusted)),
          pointsOf("Reversed by returns", f.days.map((d) => d.reversed)),
        ],
      };
    case "members": {
      const days = [...new Set(f.spend.rows.map((r) => r.day))];
      const sum = (day: string, k: "memberSpend" | "nonMemberSpend") =>
        f.spend.rows.filter((r) => r.day === day).reduce((s, r) => s + r[k], 0);
      const c = f.spend.currency;
      return {
        labels: days,
        series: [
          moneyOf("Member spend", days.map((d) => sum(d, "memberSpend")), c, "spend"),
          moneyOf("Non-member spend", days.map((d) => sum(d, "nonMemberSpend")), c, "spend"),
        ],
      };
    }
    case "activity": {
      const d = f.activity.days;
      return {
        labels: d.map((x) => x.day),
        series: [
          countOf("Active members", d.map((x) => x.activeMembers)),
          countOf("New members", d.map((x) => x.newMembers)),
          countOf("Visits", d.map((x) => x.visits), "line"),
        ],
      };
    }
    case "liability": {
      const l = f.liability;
      return {
        labels: l.days,
        series: [
          moneyOf("Points owed", l.pointsMoney, l.currency),
          ...l.series.map((s) => moneyOf(s.name, s.owed, s.currency)),
        ],
      };
    }
    case "rules":
      return {
        labels: f.rules.map((r) => r.name),
        series: [pointsOf("Points awarded", f.rules.map((r) => r.points))],
      };
  }
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The chart of a report with its hover details, as ChartHover's props. */
export function reportChart(
  title: string,
  f: Figures,
  size: { width?: number; height?: number } = {},
): ChartHoverProps {
  const { labels, series } = drawing(f);
  const chart = renderChart({
    ...size,
    categories: labels.map((l) => isDay(l) ? formatDay(l, true) : l),
    series: series.map((s) => ({ ...s, values: s.raw.map(s.scale) })),
  });
  return {
    title,
    svg: chart.svg,
    width: chart.width,
    left: GRID.left,
    right: GRID.right,
    points: labels.map((l, i) => ({
      label: isDay(l) ? formatDay(l) : l,
      lines: series.map((s) => `${s.name}: ${s.format(s.raw[i])}`),
    })),
  };
}
