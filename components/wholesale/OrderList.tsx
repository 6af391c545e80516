import type { OrderRow } from "../../wholesale/orders.ts";
import { when } from "../../web/format.ts";
import { formatMoney } from "../customers/format.ts";

/** A state as a badge: drafts wait, accepted orders are sales, cancelled ones are greyed. */
export function OrderStateBadge({ state }: { state: OrderRow["state"] }) {
  const kind = state === "draft" ? "warn" : state === "cancelled" ? "disabled" : "";
  return <span class={`badge ${kind}`}>{state}</span>;
}

/** The group's orders, newest first, with a link to the next page. */
export function OrderList(
  { rows, nextHref, timeZone }: { rows: OrderRow[]; nextHref: string | null; timeZone: string },
) {
  return (
    <section class="card" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Order</th>
              <th>State</th>
              <th>Customer</th>
              <th>Store</th>
              <th>Total</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <a href={`/console/wholesale-orders/${r.id}`}>{`WO-${r.number}`}</a>
                </td>
                <td>
                  <OrderStateBadge state={r.state} />
                </td>
                <td>{`${r.customerName} (${r.customerNumber})`}</td>
                <td>{`${r.storeNumber} · ${r.fulfilment}`}</td>
                <td>{formatMoney(r.total, r.currency)}</td>
                <td>{when(r.createdAt, timeZone)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6}>No wholesale orders yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {nextHref && <a href={nextHref}>Older orders</a>}
    </section>
  );
}
