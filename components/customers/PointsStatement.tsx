import type { StatementLine } from "../../members/profile.ts";
import { when } from "../../web/format.ts";
import { formatPoints } from "./format.ts";

/**
 * A page of a customer's points statement, newest first, with the running balance; links to
 * the older page and back to the newest one.
 */
export function PointsStatement(
  { customerId, lines, next, paged, keyLineTotal }: {
    customerId: string;
    /** Shown with the statement when the programme shows the key line total. */
    keyLineTotal: { reference: string; points: number } | null;
    lines: StatementLine[];
    /** The entry id the older page starts before, or null on the last page. */
    next: number | null;
    /** True when this is not the newest page. */
    paged: boolean;
  },
) {
  const base = `/console/customers/${customerId}`;
  return (
    <section class="card" id="statement" aria-labelledby="statement-heading">
      <h2 id="statement-heading">Points statement</h2>
      {keyLineTotal && (
        <p>
          Key line total ({keyLineTotal.reference}):{" "}
          <strong data-figure="statement-key-line-total">
            {formatPoints(keyLineTotal.points)}
          </strong>
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Store</th>
            <th>Receipt</th>
            <th>Reference</th>
            <th>Rule</th>
            <th>Points</th>
            <th>Balance</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr data-entry={l.entryId}>
              <td>{when(l.at)}</td>
              <td>
                {l.storeNumber === null
                  ? "—"
                  : `${l.storeNumber}${l.posNumber === null ? "" : ` / POS ${l.posNumber}`}`}
              </td>
              <td>{l.receiptNumber ?? "—"}</td>
              <td>
                {l.transactionReference}
                {l.reference !== l.transactionReference && ` (${l.reference})`}
                {l.reason && <span class="hint">{l.reason}</span>}
              </td>
              <td>{l.ruleId ?? "—"}</td>
              <td>{formatPoints(l.amount, true)}</td>
              <td>{formatPoints(l.balance)}</td>
              <td>{l.actor}</td>
            </tr>
          ))}
          {lines.length === 0 && (
            <tr>
              <td colSpan={8}>No points entries yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {(paged || next !== null) && (
        <p class="row">
          {paged && <a href={`${base}#statement`}>← Newest</a>}
          {next !== null && (
            <a href={`${base}?before=${next}#statement`} rel="next">Older entries →</a>
          )}
        </p>
      )}
    </section>
  );
}
