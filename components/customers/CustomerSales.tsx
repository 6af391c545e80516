import type { CustomerSale } from "../../members/profile.ts";
import { when } from "../../web/format.ts";
import { formatMoney, formatPoints } from "./format.ts";

/** A customer's latest sales and returns. */
export function CustomerSales(
  { sales, more, timeZone }: { sales: CustomerSale[]; more: boolean; timeZone: string },
) {
  return (
    <section class="card" aria-labelledby="sales-heading">
      <h2 id="sales-heading">Sales and returns</h2>
      <table>
        <thead>
          <tr>
            <th>Date</th>
            <th>Kind</th>
            <th>Store</th>
            <th>Receipt</th>
            <th>Total</th>
            <th>Points</th>
          </tr>
        </thead>
        <tbody>
          {sales.map((s) => (
            <tr>
              <td>{when(s.at, timeZone)}</td>
              <td>{s.kind === "sale" ? "Sale" : "Return"}</td>
              <td>{`${s.storeNumber} ${s.storeName} / POS ${s.posNumber}`}</td>
              <td>
                <a href={`/console/sales/${s.id}`}>{s.receiptNumber}</a>
              </td>
              {/* A return's total and points are what it gave and took back: shown negative. */}
              <td>{formatMoney(s.kind === "sale" ? s.total : -s.total, s.currency)}</td>
              <td>{formatPoints(s.kind === "sale" ? s.points : -s.points, true)}</td>
            </tr>
          ))}
          {sales.length === 0 && (
            <tr>
              <td colSpan={6}>No sales yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {more && <p class="hint">The latest {sales.length}; the admin API lists them all.</p>}
    </section>
  );
}
