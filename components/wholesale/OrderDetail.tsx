import type { OrderDetail } from "../../wholesale/orders.ts";
import { when } from "../../web/format.ts";
import { formatMoney, formatPoints } from "../customers/format.ts";
import { OrderStateBadge } from "./OrderList.tsx";

/** A form posting the order's version to one of its moves. */
function Move(
  { order, move, label, csrf, danger, extra }: {
    order: OrderDetail;
    move: "accept" | "cancel" | "returns";
    label: string;
    csrf?: string;
    danger?: boolean;
    extra?: Record<string, string>;
  },
) {
  return (
    <form method="post" action={`/console/wholesale-orders/${order.id}/${move}`}>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="version" value={String(order.version)} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={danger ? "danger" : undefined}>{label}</button>
    </form>
  );
}

/**
 * One order: who, where, its lines at the wholesale price level, and once accepted the sale it
 * was recorded as (till, operator, points) and its returns. With `canManage`, the moves its
 * state allows; `returnKey` is the Idempotency-Key of the return form, so a form sent twice
 * returns once.
 */
export function OrderDetailView(
  { order, canManage, csrf, returnKey, timeZone }: {
    order: OrderDetail;
    /** The clock the dates are read on: the programme's. */
    timeZone: string;
    canManage: boolean;
    csrf?: string;
    returnKey: string;
  },
) {
  const money = (minor: number) => formatMoney(minor, order.currency);
  const left = order.lines.some((l) => l.quantity > l.returnedQuantity);
  return (
    <>
      <section class="card" aria-labelledby="order-heading">
        <h2 id="order-heading">
          {`Order WO-${order.number} `}
          <OrderStateBadge state={order.state} />
        </h2>
        <dl class="facts">
          <dt>Customer</dt>
          <dd>
            <a href={`/console/customers/${order.customer.id}`}>
              {`${order.customer.name} (${order.customer.number})`}
            </a>
          </dd>
          <dt>{order.fulfilment === "delivery" ? "Delivery from" : "Pickup at"}</dt>
          <dd>{`${order.location.number} ${order.location.name}`}</dd>
          <dt>Price level</dt>
          <dd>{order.priceLevel}</dd>
          <dt>Total</dt>
          <dd>{money(order.total)}</dd>
          <dt>Payment</dt>
          <dd>On account (invoiced)</dd>
          {order.note && (
            <>
              <dt>Note</dt>
              <dd>{order.note}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>
            {`${when(order.createdAt, timeZone)}${order.createdBy ? ` by ${order.createdBy}` : ""}`}
          </dd>
          <dt>Version</dt>
          <dd>{order.version}</dd>
        </dl>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>SKU</th>
                <th>Item</th>
                <th>Quantity</th>
                <th>Unit price</th>
                <th>Line total</th>
                <th>Returned</th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((l) => (
                <tr>
                  <td>{l.sku}</td>
                  <td>{l.name}</td>
                  <td>{l.quantity}</td>
                  <td>{money(l.unitPrice)}</td>
                  <td>{money(l.quantity * l.unitPrice)}</td>
                  <td>{l.returnedQuantity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canManage && (
          <div class="row">
            {order.state === "draft" && (
              <>
                <Move order={order} move="accept" label="Accept order" csrf={csrf} />
                <Move order={order} move="cancel" label="Cancel order" csrf={csrf} danger />
              </>
            )}
            {order.state === "accepted" && left && (
              <Move
                order={order}
                move="returns"
                label="Return everything not yet returned"
                csrf={csrf}
                danger
                extra={{ key: `${returnKey}-all` }}
              />
            )}
          </div>
        )}
        {canManage && order.state === "accepted" && left && (
          <form
            method="post"
            action={`/console/wholesale-orders/${order.id}/returns`}
            aria-label="Return some units"
          >
            <input type="hidden" name="_csrf" value={csrf} />
            <input type="hidden" name="version" value={String(order.version)} />
            <input type="hidden" name="key" value={`${returnKey}-some`} />
            <div class="row">
              {order.lines.filter((l) => l.quantity > l.returnedQuantity).map((l) => (
                <label key={l.index}>
                  {`${l.sku}: units to return (${l.quantity - l.returnedQuantity} left)`}
                  <input name={`quantity${l.index}`} inputMode="numeric" size={6} />
                </label>
              ))}
              <button type="submit" class="secondary">Return these units</button>
            </div>
          </form>
        )}
      </section>
      {order.sale && (
        <section class="card" aria-labelledby="sale-heading">
          <h2 id="sale-heading">Sale</h2>
          <dl class="facts">
            <dt>Receipt</dt>
            <dd>{order.sale.receiptNumber}</dd>
            <dt>Recorded</dt>
            <dd>{when(order.sale.at, timeZone)}</dd>
            <dt>Till</dt>
            <dd>
              {`store ${order.sale.storeNumber} · POS ${order.sale.posNumber}${
                order.sale.tillCode ? ` (${order.sale.tillCode})` : ""
              }`}
            </dd>
            <dt>Operator</dt>
            <dd>{order.sale.operatorNumber ?? "—"}</dd>
            <dt>Points earned</dt>
            <dd>{formatPoints(order.sale.points)}</dd>
            <dt>Returned</dt>
            <dd>{money(order.sale.returnedTotal)}</dd>
          </dl>
          {order.returns.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Return</th>
                  <th>Date</th>
                  <th>Value</th>
                  <th>Points taken back</th>
                </tr>
              </thead>
              <tbody>
                {order.returns.map((r) => (
                  <tr>
                    <td>{r.receiptNumber}</td>
                    <td>{when(r.at, timeZone)}</td>
                    <td>{money(r.value)}</td>
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
