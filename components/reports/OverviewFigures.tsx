import ChartHover from "../../islands/ChartHover.tsx";
import { formatMoney } from "../../money/amount.ts";
import type { Headline, Overview } from "../../reports/overview.ts";
import { formatDay, formatShare } from "../../web/format.ts";
import { Island } from "../../web/island.tsx";
import { formatPoints } from "../customers/format.ts";
import { formatCount } from "../series/format.ts";
import { reportChart } from "./charts.ts";

/** A change against the period before, in people's words. */
function change(h: Headline<number | null>, kind: "relative" | "share"): string {
  if (h.now === null || h.before === null) return "no figure to compare";
  if (kind === "share") {
    const pts = (h.now - h.before) * 100;
    return `${pts >= 0 ? "+" : "−"}${Math.abs(pts).toFixed(1)} points vs the 30 days before`;
  }
  if (h.before === 0) return h.now === 0 ? "unchanged" : "none the 30 days before";
  const pct = (h.now - h.before) / Math.abs(h.before) * 100;
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)}% vs the 30 days before`;
}

/** The overview's headline figures of a group with their change, and the last 30 days' points. */
export function OverviewFigures({ o, reportsHref }: { o: Overview; reportsHref: string }) {
  const figures = [
    {
      label: "Points issued",
      value: formatPoints(o.issued.now),
      change: change(o.issued, "relative"),
    },
    {
      label: "Points redeemed",
      value: formatPoints(o.redeemed.now),
      change: change(o.redeemed, "relative"),
    },
    {
      label: "Outstanding liability",
      value: formatMoney(o.liabilityMoney.now, o.currency),
      change: `${formatPoints(o.liabilityPoints.now)} points; ${
        change(o.liabilityMoney, "relative")
      }`,
    },
    {
      label: "Member share of spend",
      value: formatShare(o.memberShare.now),
      change: change(o.memberShare, "share"),
    },
    {
      label: "Active members",
      value: formatCount(o.activeMembers.now),
      change: change(o.activeMembers, "relative"),
    },
  ];
  return (
    <section class="card" aria-labelledby="headline-heading">
      <h2 id="headline-heading">The last 30 days</h2>
      <p class="muted">
        {formatDay(o.period.from)} to{" "}
        {formatDay(o.period.to)}, trading days on the stores' clocks, against{" "}
        {formatDay(o.previous.from)} to{" "}
        {formatDay(o.previous.to)}. Every figure is read from the sales and the ledger; the{" "}
        <a href={reportsHref}>reports</a> break them down.
      </p>
      <dl class="figures">
        {figures.map((f) => (
          <div data-figure={f.label}>
            <dt>{f.label}</dt>
            <dd>
              {f.value}
              <div class="change">{f.change}</div>
            </dd>
          </div>
        ))}
      </dl>
      <Island
        of={ChartHover}
        props={reportChart("Points per day, the last 30 days", { name: "points", days: o.days }, {
          height: 200,
        })}
      />
    </section>
  );
}
