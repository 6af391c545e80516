import type { ActivityLine } from "../../instruments/history.ts";
import { formatMoney } from "../../money/amount.ts";
import { when } from "../../web/format.ts";

/** Signed money: what an activity added (+) or took (−) from the balance. */
const signed = (minor: number, currency: string) =>
  minor > 0
    ? `+${formatMoney(minor, currency)}`
    : minor < 0
    ? `−${formatMoney(-minor, currency)}`
    : formatMoney(0, currency);

/**
 * A page of an instrument's history, newest first: what happened, where (store, POS, receipt),
 * the amount and the balance after it, who and why; links to the older page and the newest.
 */
export function InstrumentHistory(
  { instrumentId, currency, lines, next, paged, timeZone }: {
    instrumentId: string;
    /** The clock the dates are read on: the programme's. */
    timeZone: string;
    currency: string;
    lines: ActivityLine[];
    /** The activity id the older page starts before, or null on the last page. */
    next: number | null;
    /** True when this is not the newest page. */
    paged: boolean;
  },
) {
  const base = `/console/instruments/${instrumentId}`;
  return (
    <section class="card" id="history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Date</th>
              <th>Activity</th>
              <th>Status</th>
              <th>Store</th>
              <th>POS</th>
              <th>Receipt</th>
              <th class="num">Amount</th>
              <th class="num">Balance</th>
              <th>By</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr data-activity={l.id}>
                <td>{when(l.at, timeZone)}</td>
                <td>{l.kind}</td>
                <td>
                  {l.statusBefore === l.statusAfter
                    ? l.statusAfter
                    : `${l.statusBefore} → ${l.statusAfter}`}
                </td>
                <td>{l.storeNumber === null ? "—" : `${l.storeNumber} ${l.storeName ?? ""}`}</td>
                <td>{l.posNumber ?? "—"}</td>
                <td>{l.receiptNumber ?? "—"}</td>
                <td class="num">{signed(l.amount, currency)}</td>
                <td class="num">{formatMoney(l.balanceAfter, currency)}</td>
                <td>{l.actor}</td>
                <td>{l.reason ?? "—"}</td>
              </tr>
            ))}
            {lines.length === 0 && (
              <tr>
                <td colSpan={10}>Nothing has happened to this instrument yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {(paged || next !== null) && (
        <p class="row">
          {paged && <a href={`${base}#history`}>← Newest</a>}
          {next !== null && (
            <a href={`${base}?before=${next}#history`} rel="next">Older activities →</a>
          )}
        </p>
      )}
    </section>
  );
}
