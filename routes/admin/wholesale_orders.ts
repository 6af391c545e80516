import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { notFound, validationError } from "../../errors/problem.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import { idempotencyKey } from "../../sales/sale_json.ts";
import { ReturnSchema } from "../../sales/return_json.ts";
import {
  acceptOrder,
  cancelOrder,
  createOrder,
  listOrders,
  orderDetail,
  returnOrder,
} from "../../wholesale/orders.ts";
import {
  NewOrderBody,
  orderJson,
  OrderQuery,
  OrderReturnBody,
  orderRowJson,
  VersionBody,
  WholesaleOrderRowSchema,
  WholesaleOrderSchema,
} from "../../wholesale/order_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Wholesale orders"];
const ORDERS = `${V1}/merchant-groups/{id}/wholesale-orders`;

const OrderParams = IdParam.extend({
  orderId: Uuid.openapi({ param: { name: "orderId", in: "path" } }),
});

// Optional to the validator, required by the handler: the body is judged before the key, as
// every other JSON operation judges its body first.
const ReturnHeaders = z.object({
  "idempotency-key": idempotencyKey("send an Idempotency-Key header").optional().openapi({
    description: "Required. One key per return: a retry with the same key and body answers " +
      "the first answer and writes nothing",
  }),
});

const CREATE = `A draft customer order for a member of the group, priced at the programme's
*Wholesale Price Level* (settings \`wholesale.priceLevel\`): each line's unit price is the item's
sell price at that level, kept on the line. \`location\` is the pickup or delivery store, by
number, a store linked to a merchant of the group. 422 \`validation\` names the field at fault:
\`customerNumber\` (no such customer), \`location\`, \`lines.N.sku\` (no such item, or the item
has no price at that level: a price of 0 is no price). Nothing is written then. Audited.`;

const ACCEPT = `Records the order as a sale through the POS sale service, in one transaction:
points by the published rules, the member's statement, statistics and reports, like any sale.
The sale is recorded at the first till (lowest active POS number) of the order's location; when
the location has none, at the wholesale default till of the settings (\`wholesale.location\`,
\`tillNumber\`, recorded with \`tillCode\` and \`operatorNumber\`); with neither, a 422
\`wholesale-till-missing\` whose \`errors\` name each missing setting. The sale carries the
operator number (\`wholesale.operatorNumber\`) and is paid by one \`ON_ACCOUNT\` tender of the
order's total: the order is invoiced, and a return pays back to that account. Its receipt number
is \`WO-<number>\`, channel \`back-office\`.

Send the order's \`version\`: a stale one is a 409 \`stale-version\`. Idempotent: an accept sent
again with the version the order was accepted from (a retry, or a concurrent accept) answers the
accepted order with \`Idempotent-Replayed: true\` and records no second sale. A cancelled order
is a 409 \`order-cancelled\`. Audited.`;

export const adminWholesaleOrders = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: ORDERS,
      tags,
      summary: "Create a wholesale order (draft)",
      description: CREATE,
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewOrderBody) },
      responses: { 201: jsonResponse(WholesaleOrderSchema, "The draft order"), ...problems },
    }),
    async (c) => {
      const group = await authorized(c, "merchant group", "wholesale:manage");
      const order = await createOrder(
        c.get("deps").db,
        group,
        c.req.valid("json"),
        c.get("staff")!,
      );
      return c.json(orderJson(order), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: ORDERS,
      tags,
      summary: "The group's wholesale orders, newest first",
      ...adminAuth,
      request: { params: IdParam, query: PageQuery.extend(OrderQuery.shape) },
      responses: {
        200: jsonResponse(pageOf(WholesaleOrderRowSchema), "A page of orders"),
        ...problems,
      },
    }),
    async (c) => {
      const group = await authorized(c, "merchant group", "programme:read");
      const { state, limit, cursor } = c.req.valid("query");
      const before = decodeCursor(cursor, ["text"])?.[0];
      if (before !== undefined && !/^\d{1,15}$/.test(before)) {
        throw validationError([{ field: "cursor", message: "not a cursor from this API" }]);
      }
      const rows = await listOrders(c.get("deps").db, group, {
        state,
        limit: limit + 1,
        beforeNumber: before === undefined ? undefined : Number(before),
      });
      const result = page(rows, limit, (r) => [String(r.number)]);
      return c.json({ items: result.items.map(orderRowJson), nextCursor: result.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${ORDERS}/{orderId}`,
      tags,
      summary: "One wholesale order: lines, sale, returns",
      ...adminAuth,
      request: { params: OrderParams },
      responses: { 200: jsonResponse(WholesaleOrderSchema, "The order"), ...problems },
    }),
    async (c) => {
      const group = await authorized(c, "merchant group", "programme:read");
      const order = await orderDetail(c.get("deps").db, group, c.req.valid("param").orderId);
      if (!order) throw notFound("wholesale order");
      return c.json(orderJson(order), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${ORDERS}/{orderId}/accept`,
      tags,
      summary: "Accept a wholesale order: record it as a sale (idempotent)",
      description: ACCEPT,
      ...adminAuth,
      request: { params: OrderParams, body: jsonBody(VersionBody) },
      responses: { 200: jsonResponse(WholesaleOrderSchema, "The accepted order"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "wholesale:manage");
      const { order, replayed } = await acceptOrder(
        db,
        c.get("programmes"),
        group,
        c.req.valid("param").orderId,
        c.req.valid("json").version,
        c.get("staff")!,
      );
      if (replayed) c.header("Idempotent-Replayed", "true");
      return c.json(orderJson(order), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${ORDERS}/{orderId}/cancel`,
      tags,
      summary: "Cancel a draft wholesale order",
      description: "Send the order's `version` (stale: 409 `stale-version`). An accepted order " +
        "is a 409 `order-accepted`: return it instead. Audited.",
      ...adminAuth,
      request: { params: OrderParams, body: jsonBody(VersionBody) },
      responses: { 200: jsonResponse(WholesaleOrderSchema, "The cancelled order"), ...problems },
    }),
    async (c) => {
      const group = await authorized(c, "merchant group", "wholesale:manage");
      const order = await cancelOrder(
        c.get("deps").db,
        group,
        c.req.valid("param").orderId,
        c.req.valid("json").version,
        c.get("staff")!,
      );
      return c.json(orderJson(order), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${ORDERS}/{orderId}/returns`,
      tags,
      summary: "Return an accepted wholesale order, or some of it (idempotent)",
      description: "A return through the POS return service against the order's sale (its " +
        "receipt `WO-<number>`), at the till the sale was recorded at: the value goes back to " +
        "the ON_ACCOUNT tender, the points the returned units earned go back as the settings " +
        "say. `lines` (order line index and quantity) default to every unit not yet returned. " +
        "Send the order's `version` (stale: 409) and an Idempotency-Key (a retry answers the " +
        "first answer). More units than are left: 422 on `lines.N.quantity`. Audited.",
      ...adminAuth,
      request: { params: OrderParams, headers: ReturnHeaders, body: jsonBody(OrderReturnBody) },
      responses: {
        201: jsonResponse(
          z.object({ order: WholesaleOrderSchema, return: ReturnSchema })
            .openapi("WholesaleOrderReturned"),
          "The order after the return, and the return as recorded",
        ),
        ...problems,
      },
    }),
    async (c) => {
      const key = c.req.valid("header")["idempotency-key"];
      if (key === undefined) {
        throw validationError([
          { field: "Idempotency-Key", message: "send an Idempotency-Key header" },
        ]);
      }
      const group = await authorized(c, "merchant group", "wholesale:manage");
      const answer = await returnOrder(
        c.get("deps").db,
        c.get("programmes"),
        group,
        c.req.valid("param").orderId,
        c.req.valid("json"),
        key,
        c.get("staff")!,
      );
      if (answer.replayed) c.header("Idempotent-Replayed", "true");
      return c.json({ order: orderJson(answer.order), return: answer.return }, 201);
    },
  );
