import { signal } from "@preact/signals";
import InstrumentCount from "../../islands/instruments/InstrumentCount.tsx";
import InstrumentGenerator, {
  type InstrumentGeneratorProps,
} from "../../islands/instruments/InstrumentGenerator.tsx";
import { benefitOf } from "../../instruments/coupons.ts";
import type { Series, SeriesFigures } from "../../instruments/series.ts";
import { carriesMoney } from "../../instruments/states.ts";
import { formatMoney } from "../../money/amount.ts";
import { Island } from "../../web/island.tsx";
import { Fact, Facts } from "../Facts.tsx";
import { benefitLabel, formatCount, TYPE_LABELS } from "./format.ts";
import { when } from "../../web/format.ts";

/** A series with what its card shows besides its own columns. */
export interface ListedSeries {
  series: Series;
  figures: SeriesFigures;
  /** A generation still running, whose progress the generator picks up. */
  running: InstrumentGeneratorProps["running"];
}

/**
 * A series' defaults, instrument count and what its cards hold; with the generator and the
 * export when the viewer may manage. The count and the generator share one signal, so the
 * count changes when a batch is done.
 */
export function SeriesCard(
  { series, figures, running, canManage, maxGeneration, csrf, timeZone }: ListedSeries & {
    canManage: boolean;
    timeZone: string;
    csrf?: string;
    /** The most instruments one generation may make. */
    maxGeneration: number;
  },
) {
  const instrumentsHref = `/console/instruments?series=${series.id}`;
  const count = signal(figures.instruments);
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
        {series.starts_at && <Fact term="Usable from">{when(series.starts_at, timeZone)}</Fact>}
        {series.type === "coupon" && (
          <Fact term="On a full return">
            {series.full_return_restores_uses ? "the use comes back" : "the use stays spent"}
            {canManage && (
              <form method="post" action={`/console/series/${series.id}/full-return`}>
                <input type="hidden" name="_csrf" value={csrf} />
                <input
                  type="hidden"
                  name="fullReturnRestoresUses"
                  value={series.full_return_restores_uses ? "" : "on"}
                />
                <button type="submit" class="secondary">
                  {series.full_return_restores_uses ? "Keep uses spent" : "Give uses back"}
                </button>
              </form>
            )}
          </Fact>
        )}
        <Fact term="Instruments">
          {canManage
            ? <Island of={InstrumentCount} props={{ count, href: instrumentsHref }} />
            : <a href={instrumentsHref}>{formatCount(figures.instruments)}</a>}
        </Fact>
        {carriesMoney(series.type) && (
          <Fact term="Outstanding">
            <span data-figure="outstanding">
              {formatMoney(figures.outstanding, series.currency)}
            </span>
          </Fact>
        )}
        {canManage && (
          <Fact term="Export">
            <a href={`/api/admin/v1/series/${series.id}/instruments.csv`} download>CSV</a>
          </Fact>
        )}
      </Facts>
      {canManage && (
        <Island
          of={InstrumentGenerator}
          props={{
            seriesId: series.id,
            seriesName: series.name,
            max: maxGeneration,
            running,
            instrumentCount: count,
            instrumentsHref,
          }}
        />
      )}
    </section>
  );
}
