import type { SaleDetail as Detail } from "../../sales/detail.ts";
import { when } from "../../web/format.ts";
import { formatMoney, formatPoints } from "../customers/format.ts";

/** A sale or return: where and for whom, its lines with the points per rule, tenders, returns. */
export function SaleDetail({ detail }: { detail: Detail }) {
  const { sale, store, pos, customer, lines, tenders, returns } = detail;
  const money = (minor: number) => formatMoney(minor, sale.currency);
  const isSale = sale.kind === "sale";
  return (
    <>
      <p class="intro">
        {customer
          ? <a href={`/console/customers/${customer.id}`}>← {customer.name}</a>
          : <span class="muted">No customer on this {sale.kind}.</span>}
      </p>
      <section class="card" aria-labelledby="sale-heading">
        <h2 id="sale-heading">{isSale ? "Sale" : "Return"} {sale.receipt_number}</h2>
        <table>
          <tbody>
            <tr>
              <th scope="row">Date</th>
              <td>{when(sale.at, store.timezone)}</td>
            </tr>
            <tr>
              <th scope="row">Store / POS</th>
              <td>{`${store.number} ${store.name} / POS ${pos.number} ${pos.name}`}</td>
            </tr>
            <tr>
              <th scope="row">Customer</th>
              <td>{customer ? `${customer.name} (${customer.number})` : "—"}</td>
            </tr>
            <tr>
              <th scope="row">Total</th>
              <td data-figure="sale-total">{money(sale.total)}</td>
            </tr>
            <tr>
              <th scope="row">{isSale ? "Points earned" : "Points taken back"}</th>
              <td data-figure="sale-points">{formatPoints(sale.points)}</td>
            </tr>
            {sale.points_redeemed > 0 && (
              <tr>
                <th scope="row">{isSale ? "Points spent" : "Points given back"}</th>
                <td>{formatPoints(sale.points_redeemed)}</td>
              </tr>
            )}
            {sale.original_sale_id && (
              <tr>
                <th scope="row">Original sale</th>
                <td>
                  <a href={`/console/sales/${sale.original_sale_id}`}>Open the sale</a>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="lines-heading">
        <h2 id="lines-heading">Lines</h2>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Quantity</th>
                <th scope="col">Unit price</th>
                <th scope="col">Net</th>
                <th scope="col">Points per rule</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr>
                  <td>{l.sku}</td>
                  <td>
                    {l.quantity}
                    {l.returnedQuantity > 0 && (
                      <span class="muted">{` (${l.returnedQuantity} returned)`}</span>
                    )}
                  </td>
                  <td>{money(l.unitPrice)}</td>
                  <td>{money(l.net)}</td>
                  <td>
                    {l.awards.length === 0 ? <span class="muted">none</span> : (
                      <ul class="awards">
                        {l.awards.map((a) => (
                          <li>
                            {`${a.ruleName}: ${formatPoints(a.points)}`}
                            {a.reversed > 0 && (
                              <span class="muted">
                                {` (${formatPoints(a.reversed)} taken back)`}
                              </span>
                            )}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
              {lines.length === 0 && (
                <tr>
                  <td colSpan={5}>No lines: a return without its receipt.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="tenders-heading">
        <h2 id="tenders-heading">{isSale ? "Tenders" : "Paid back"}</h2>
        <table>
          <tbody>
            {tenders.map((t) => (
              <tr>
                <th scope="row">{t.number ? `${t.type} ${t.number}` : t.type}</th>
                <td>
                  {money(t.amount)}
                  {t.points !== undefined && ` (${formatPoints(t.points)} points)`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isSale && (
        <section class="card" aria-labelledby="returns-heading">
          <h2 id="returns-heading">Returns</h2>
          {returns.length === 0 ? <p class="muted">Nothing returned.</p> : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Receipt</th>
                  <th scope="col">Given back</th>
                  <th scope="col">Points taken back</th>
                </tr>
              </thead>
              <tbody>
                {returns.map((r) => (
                  <tr>
                    <td>{when(r.at, store.timezone)}</td>
                    <td>
                      <a href={`/console/sales/${r.id}`}>{r.receiptNumber}</a>
                    </td>
                    <td>{money(r.total)}</td>
                    <td>{formatPoints(r.points)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}
