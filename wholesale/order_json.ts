/** The API shapes of a wholesale order: the requests (with their OpenAPI names) and the answer. */
import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "../http/openapi.ts";
import { MinorUnits } from "../money/minor_units.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import {
  NewOrderSchema,
  type OrderDetail,
  OrderReturnSchema,
  type OrderRow,
  VersionSchema,
} from "./orders.ts";

// `.meta`, not `.openapi`: the service builds these with plain zod.
export const NewOrderBody = NewOrderSchema.meta({ id: "WholesaleOrderCreate" });
export const VersionBody = VersionSchema.meta({ id: "WholesaleOrderVersion" });
export const OrderReturnBody = OrderReturnSchema.meta({ id: "WholesaleOrderReturn" });

const States = z.enum(["draft", "accepted", "cancelled"]);

export const OrderQuery = z.object({
  state: States.optional().openapi({
    param: { name: "state", in: "query" },
    description: "only orders in this state",
  }),
});

export const WholesaleOrderSchema = z.object({
  id: Uuid,
  number: z.int().openapi({ description: "The order number; its sale's receipt is WO-<number>" }),
  state: States,
  version: z.int().openapi({
    description: "Send it back with accept, cancel and return: a stale one is a 409",
  }),
  customer: z.object({ number: z.string(), name: z.string() }),
  location: z.object({ storeNumber: z.int(), name: z.string() })
    .openapi({ description: "The pickup or delivery store" }),
  fulfilment: z.enum(["pickup", "delivery"]),
  currency: z.string(),
  priceLevel: z.int().openapi({
    description: "The wholesale price level the lines were priced at",
  }),
  total: MinorUnits.openapi({ description: "What the order charges: the ON_ACCOUNT tender" }),
  note: z.string().nullable(),
  lines: z.array(z.object({
    index: z.int(),
    sku: z.string(),
    name: z.string(),
    quantity: z.int(),
    unitPrice: MinorUnits.openapi({ description: "The item's sell price at the price level" }),
    total: MinorUnits,
    returnedQuantity: z.int().openapi({ description: "Units returned so far" }),
  })),
  sale: z.object({
    id: Uuid,
    receiptNumber: z.string(),
    at: Timestamp,
    storeNumber: z.int(),
    posNumber: z.int(),
    tillCode: z.string().nullable().openapi({
      description: "The wholesale till code, when recorded at the default till",
    }),
    operatorNumber: z.int().nullable().openapi({ description: "The wholesale operator number" }),
    points: z.number().openapi({ description: "Points the sale earned, two decimals" }),
    returnedTotal: MinorUnits.openapi({ description: "Value returned so far" }),
  }).nullable().openapi({ description: "The sale an accepted order was recorded as" }),
  returns: z.array(z.object({
    id: Uuid,
    receiptNumber: z.string(),
    at: Timestamp,
    value: MinorUnits,
    points: z.number().openapi({ description: "Points taken back, two decimals" }),
  })),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).openapi("WholesaleOrder");

export const WholesaleOrderRowSchema = WholesaleOrderSchema.pick({
  id: true,
  number: true,
  state: true,
  customer: true,
  fulfilment: true,
  currency: true,
  total: true,
  createdAt: true,
}).extend({ storeNumber: z.int() }).openapi("WholesaleOrderRow");

export const orderJson = (o: OrderDetail): z.output<typeof WholesaleOrderSchema> => ({
  id: o.id,
  number: o.number,
  state: o.state,
  version: o.version,
  customer: { number: o.customer.number, name: o.customer.name },
  location: { storeNumber: o.location.number, name: o.location.name },
  fulfilment: o.fulfilment,
  currency: o.currency,
  priceLevel: o.priceLevel,
  total: o.total,
  note: o.note,
  lines: o.lines.map((l) => ({ ...l, total: l.quantity * l.unitPrice })),
  sale: o.sale && {
    ...o.sale,
    at: o.sale.at.toISOString(),
    points: hundredthsToNumber(o.sale.points),
  },
  returns: o.returns.map((r) => ({
    ...r,
    at: r.at.toISOString(),
    points: hundredthsToNumber(r.points),
  })),
  createdBy: o.createdBy,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

export const orderRowJson = (r: OrderRow): z.output<typeof WholesaleOrderRowSchema> => ({
  id: r.id,
  number: r.number,
  state: r.state,
  customer: { number: r.customerNumber, name: r.customerName },
  storeNumber: r.storeNumber,
  fulfilment: r.fulfilment,
  currency: r.currency,
  total: r.total,
  createdAt: new Date(r.createdAt).toISOString(),
});
