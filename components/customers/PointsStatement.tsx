import type { StatementLine } from "../../members/profile.ts";
import { when } from "../../web/format.ts";
import { formatPoints } from "./format.ts";

/**
 * A page of a customer's points statement, newest first, with the running balance; links to
 * the older page and back to the newest one. Rules by name; reference and reason apart.
 */
export function PointsStatement(
  { customerId, lines, next, paged, ruleNames, timeZone }: {
    customerId: string;
    /** Rule names by id (earning/rule_sets.ts ruleNames); an unknown id shows as itself. */
    ruleNames: Map<string, string>;
    /** The clock the dates are read on: the programme's. */
    timeZone: string;
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
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Store</th>
            <th>Receipt</th>
            <th>Reference</th>
            <th>Reason</th>
            <th>Rule</th>
            <th>Points</th>
            <th>Balance</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr data-entry={l.entryId}>
              <td>{when(l.at, timeZone)}</td>
              <td>
                {l.storeNumber === null
                  ? "—"
                  : `${l.storeNumber}${l.posNumber === null ? "" : ` / POS ${l.posNumber}`}`}
              </td>
              <td>{l.receiptNumber ?? "—"}</td>
              <td>
                {l.transactionReference}
                {l.reference !== l.transactionReference && ` (${l.reference})`}
              </td>
              <td>{l.reason ?? "—"}</td>
              <td>{l.ruleId === null ? "—" : ruleNames.get(l.ruleId) ?? l.ruleId}</td>
              <td>{formatPoints(l.amount, true)}</td>
              <td>{formatPoints(l.balance)}</td>
              <td>{l.actor}</td>
            </tr>
          ))}
          {lines.length === 0 && (
            <tr>
              <td colSpan={9}>No points entries yet.</td>
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
