import type { CustomerFigures as Figures } from "../../members/statistics.ts";
import { when } from "../../web/format.ts";
import { formatMoney, formatPoints } from "./format.ts";

/** A customer's points balance, key line total (when shown) and member statistics. */
export function CustomerFigures(
  { figures, currency, keyLineReference, timeZone }: {
    figures: Figures;
    /** The key line total reference match of the settings, named beside the total. */
    keyLineReference: string;
    /** The clock the dates are read on: the programme's. */
    timeZone: string;
    /** The currency of the customer's sales (spend is in its minor units); none before one. */
    currency?: string;
  },
) {
  const s = figures.statistics;
  return (
    <section class="card" aria-labelledby="figures-heading">
      <h2 id="figures-heading">Balances and statistics</h2>
      <table>
        <tbody>
          <tr>
            <th>Points balance</th>
            <td data-figure="points">{formatPoints(figures.points)}</td>
          </tr>
          {figures.keyLineTotal !== null && (
            <tr>
              <th>Key line total ({keyLineReference})</th>
              <td data-figure="key-line-total">{formatPoints(figures.keyLineTotal)}</td>
            </tr>
          )}
          <tr>
            <th>Visits</th>
            <td data-figure="visits">{s.visits}</td>
          </tr>
          <tr>
            <th>Sales</th>
            <td data-figure="sales-count">{s.salesCount}</td>
          </tr>
          <tr>
            <th>Spend</th>
            <td data-figure="spend">{currency ? formatMoney(s.spend, currency) : s.spend}</td>
          </tr>
          <tr>
            <th>First visit</th>
            <td>{s.firstVisit ? when(s.firstVisit, timeZone) : "—"}</td>
          </tr>
          <tr>
            <th>Last visit</th>
            <td>{s.lastVisit ? when(s.lastVisit, timeZone) : "—"}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
