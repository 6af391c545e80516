import type { Instrument } from "../../instruments/generation.ts";
import type { Series } from "../../instruments/series.ts";
import { formatCount, TYPE_LABELS } from "./format.ts";

type Status = Instrument["status"];

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/** One page of a series' instruments, filtered by status, with the link to the next page. */
export function InstrumentList(
  { series, statuses, status, instruments, nextCursor }: {
    series: Series;
    /** The statuses the filter offers. */
    statuses: readonly Status[];
    /** The status filtered on; none: any. */
    status?: Status;
    instruments: Instrument[];
    nextCursor: string | null;
  },
) {
  const filter = status ? `&status=${status}` : "";
  return (
    <>
      <p class="intro">
        <a href={`/console/series?group=${series.group_id}#series-${series.id}`}>
          ← Series
        </a>{" "}
        · {TYPE_LABELS[series.type]}
        {series.prefix && (
          <>
            {" · prefix "}
            <code>{series.prefix}</code>
          </>
        )}
      </p>
      <form method="get" class="row chooser">
        <label>
          Status
          <select name="status">
            <option value="">any</option>
            {statuses.map((s) => <option key={s} value={s} selected={s === status}>{s}</option>)}
          </select>
        </label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      <section class="card table-scroll">
        <table>
          <thead>
            <tr>
              <th>{series.type === "coupon" ? "Code" : "Number"}</th>
              <th>Status</th>
              <th>Expires</th>
              <th class="num">Uses</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {instruments.map((i) => (
              <tr>
                <td>
                  <code>{i.number}</code>
                </td>
                <td>{i.status}</td>
                <td>{i.expires_at ? day(i.expires_at) : "—"}</td>
                <td class="num">{formatCount(i.uses)}</td>
                <td>{day(i.created_at)}</td>
              </tr>
            ))}
            {instruments.length === 0 && (
              <tr>
                <td colSpan={5}>No instruments{status ? ` in status ${status}` : ""}.</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      {nextCursor && (
        <p>
          <a href={`/console/series/${series.id}/instruments?cursor=${nextCursor}${filter}`}>
            Next page →
          </a>
        </p>
      )}
    </>
  );
}
