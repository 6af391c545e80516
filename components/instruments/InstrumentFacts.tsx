import type { InstrumentDetail } from "../../instruments/detail.ts";
import { formatMoney } from "../../money/amount.ts";
import { when } from "../../web/format.ts";
import { Fact, Facts } from "../Facts.tsx";
import { formatCount, TYPE_LABELS } from "../series/format.ts";
import { InstrumentStatusBadge } from "./InstrumentStatusBadge.tsx";

/** What an instrument is now: series, status, balance, dates, uses. */
export function InstrumentFacts(
  { detail, timeZone }: { detail: InstrumentDetail; timeZone: string },
) {
  const { instrument: i, series } = detail;
  return (
    <section class="card" aria-label="Instrument">
      <Facts>
        <Fact term="Series">
          <a href={`/console/series?group=${series.group_id}#series-${series.id}`}>
            {series.name}
          </a>
        </Fact>
        <Fact term="Type">{TYPE_LABELS[series.type]}</Fact>
        <Fact term="Status">
          <span data-figure="status">
            <InstrumentStatusBadge status={detail.status} />
          </span>
        </Fact>
        <Fact term="Balance">
          <span data-figure="balance">{formatMoney(detail.balance, series.currency)}</span>
        </Fact>
        <Fact term="Expires">{i.expires_at ? when(i.expires_at, timeZone) : "never"}</Fact>
        <Fact term="Activated">{i.activated_at ? when(i.activated_at, timeZone) : "—"}</Fact>
        <Fact term="Uses">{formatCount(i.uses)}</Fact>
        <Fact term="Created">{when(i.created_at, timeZone)}</Fact>
      </Facts>
    </section>
  );
}
