import InstrumentGenerator, {
  type InstrumentGeneratorProps,
} from "../../islands/InstrumentGenerator.tsx";
import { benefitOf } from "../../instruments/coupons.ts";
import type { Series } from "../../instruments/series.ts";
import { Island } from "../../web/island.tsx";
import { Fact, Facts } from "../Facts.tsx";
import { benefitLabel, formatCount, formatMoney, formatUtc, TYPE_LABELS } from "./format.ts";

/** A series with what its card shows besides its own columns. */
export interface ListedSeries {
  series: Series;
  /** How many instruments the series has. */
  count: number;
  /** A generation still running, whose progress the generator picks up. */
  running: InstrumentGeneratorProps["running"];
}

/** A series' defaults and instrument count; with the generator when the viewer may manage. */
export function SeriesCard(
  { series, count, running, canManage, maxGeneration }: ListedSeries & {
    canManage: boolean;
    /** The most instruments one generation may make. */
    maxGeneration: number;
  },
) {
  return (
    <section class="card series" id={`series-${series.id}`} aria-labelledby={`h-${series.id}`}>
      <h2 id={`h-${series.id}`}>
        {series.name} <span class="badge">{TYPE_LABELS[series.type]}</span>
      </h2>
      <Facts>
        <Fact term="Prefix">{series.prefix ? <code>{series.prefix}</code> : "none"}</Fact>
        <Fact term="Initial value">{formatMoney(series.initial_value, series.currency)}</Fact>
        <Fact term="Expiry">
          {series.expiry_days === null ? "never" : `${formatCount(series.expiry_days)} days`}
        </Fact>
        {series.type === "coupon" && (
          <Fact term="Uses per code">
            {series.max_uses === null ? "unlimited" : formatCount(series.max_uses)}
          </Fact>
        )}
        {series.coupon_benefit !== null && (
          <Fact term="A coupon gives">
            {benefitLabel(benefitOf(series.coupon_benefit)!, series.currency)}
          </Fact>
        )}
        {series.starts_at && <Fact term="Usable from">{formatUtc(series.starts_at)}</Fact>}
        <Fact term="Instruments">
          <a href={`/console/series/${series.id}/instruments`}>{formatCount(count)}</a>
        </Fact>
      </Facts>
      {canManage && (
        <Island
          of={InstrumentGenerator}
          props={{
            seriesId: series.id,
            seriesName: series.name,
            max: maxGeneration,
            running,
          }}
        />
      )}
    </section>
  );
}
