import type { SeriesBreakage } from "../../instruments/breakage.ts";
import { formatMoney } from "../../money/amount.ts";
import { formatCount, TYPE_LABELS } from "./format.ts";

/**
 * What voids wrote off per card series (breakage), from the ledger: the balances of cards voided
 * with money on them, which the programme no longer owes.
 */
export function BreakageTable({ groupId, rows }: { groupId: string; rows: SeriesBreakage[] }) {
  if (!rows.length) return null;
  return (
    <section class="card" id="breakage" aria-labelledby="breakage-heading">
      <h2 id="breakage-heading">Breakage</h2>
      <p>
        Voiding a gift card or store credit writes off what it still holds: the series no longer
        owes it. Since the first void (also as{" "}
        <a href={`/api/admin/v1/merchant-groups/${groupId}/reports/breakage`}>JSON</a>, with{" "}
        <code>from</code> and <code>to</code> dates).
      </p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Series</th>
              <th>Type</th>
              <th class="num">Cards voided with a balance</th>
              <th class="num">Written off</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-breakage={r.seriesId}>
                <td>
                  <a href={`#series-${r.seriesId}`}>{r.name}</a>
                </td>
                <td>{TYPE_LABELS[r.type]}</td>
                <td class="num">{formatCount(r.cards)}</td>
                <td class="num">{formatMoney(r.writtenOff, r.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
