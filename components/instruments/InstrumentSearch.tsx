import type { Instrument } from "../../instruments/generation.ts";
import type { InstrumentHit } from "../../instruments/search.ts";
import type { Series } from "../../instruments/series.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import { formatMoney } from "../../money/amount.ts";
import { InstrumentStatusBadge } from "./InstrumentStatusBadge.tsx";
import { when } from "../../web/format.ts";

export interface InstrumentSearchProps {
  group: MerchantGroup;
  /** The group's series, for the filter. */
  series: Series[];
  statuses: readonly Instrument["status"][];
  /** What was asked: number (as typed), series id, status. */
  query: { number: string; seriesId?: string; status?: Instrument["status"] };
  hits: InstrumentHit[];
  pageSize: number;
  nextCursor: string | null;
}

/** The search form over a group's instruments, the page of hits, and the link to the next. */
export function InstrumentSearch(
  { group, series, statuses, query, hits, pageSize, nextCursor, timeZone }:
    & InstrumentSearchProps
    & { timeZone: string },
) {
  const filters = new URLSearchParams({
    group: group.id,
    number: query.number,
    ...(query.seriesId ? { series: query.seriesId } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  const filtered = query.number || query.seriesId || query.status;
  return (
    <section class="card">
      <form method="get" action="/console/instruments" class="row" role="search">
        <input type="hidden" name="group" value={group.id} />
        <label>
          Number
          <input
            name="number"
            type="search"
            value={query.number}
            maxLength={40}
            aria-describedby="number-hint"
          />
          <span id="number-hint" class="hint">any part of it; spaces and dashes ignored</span>
        </label>
        <label>
          Series
          <select name="series">
            <option value="">any</option>
            {series.map((s) => (
              <option key={s.id} value={s.id} selected={s.id === query.seriesId}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {statuses.map((s) => (
              <option key={s} value={s} selected={s === query.status}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Series</th>
              <th>Status</th>
              <th class="num">Balance</th>
              <th>Expires</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr>
                <td>
                  <a href={`/console/instruments/${h.id}`}>
                    <code>{h.number}</code>
                  </a>
                </td>
                <td>{h.seriesName}</td>
                <td>
                  <InstrumentStatusBadge status={h.status} />
                </td>
                <td class="num">{formatMoney(h.balance, h.currency)}</td>
                <td>{h.expiresAt ? when(h.expiresAt, timeZone) : "—"}</td>
              </tr>
            ))}
            {hits.length === 0 && (
              <tr>
                <td colSpan={5}>
                  {filtered ? "No instrument matches." : `${group.name} has no instruments yet.`}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {nextCursor && (
        <p>
          <a href={`/console/instruments?${filters}&cursor=${nextCursor}`} rel="next">
            Next {pageSize} →
          </a>
        </p>
      )}
    </section>
  );
}
