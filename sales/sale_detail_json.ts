/** The admin API's shape of one sale or return with its lines, awards, tenders and returns. */
import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import { MinorUnits } from "../money/minor_units.ts";
import type { SaleDetail } from "./detail.ts";

const Points = z.number().int().openapi({ description: "hundredths of a point" });

export const SaleDetailSchema = z.object({
  id: z.string(),
  kind: z.enum(["sale", "return"]),
  receiptNumber: z.string(),
  at: Timestamp,
  tradingDay: z.string().openapi({ description: "the sale's date on the store's clock" }),
  store: z.object({ number: z.number().int(), name: z.string(), timezone: z.string() }),
  pos: z.object({ number: z.number().int(), name: z.string() }),
  customer: z.object({ id: z.string(), number: z.string(), name: z.string() }).nullable(),
  member: z.boolean().openapi({ description: "counted as a member transaction" }),
  currency: z.string(),
  total: MinorUnits.openapi({ description: "net value: of the sale, or given back by a return" }),
  points: Points.openapi({ description: "earned (a sale) or taken back (a return), hundredths" }),
  pointsRedeemed: Points.openapi({
    description: "spent as tender (a sale) or given back (a return), hundredths",
  }),
  rulesVersion: z.number().int().nullable().openapi({
    description: "the published rules version that priced it",
  }),
  originalSaleId: z.string().nullable().openapi({ description: "a return's sale" }),
  returnedTotal: MinorUnits.openapi({ description: "a sale's value returned so far" }),
  lines: z.array(z.object({
    index: z.number().int(),
    sku: z.string(),
    quantity: z.number(),
    returnedQuantity: z.number(),
    unitPrice: MinorUnits,
    net: MinorUnits.openapi({ description: "after its discounts" }),
    points: Points,
    awards: z.array(z.object({
      ruleId: z.string(),
      ruleName: z.string().openapi({
        description: "as the rules version that priced the sale names it",
      }),
      type: z.string(),
      reference: z.string(),
      points: Points,
      reversed: Points.openapi({ description: "taken back by returns so far" }),
    })),
  })),
  tenders: z.array(z.object({
    type: z.string(),
    amount: MinorUnits,
    number: z.string().optional().openapi({ description: "a card tender's card" }),
    points: Points.optional().openapi({ description: "a points tender's points" }),
  })),
  returns: z.array(z.object({
    id: z.string(),
    receiptNumber: z.string(),
    at: Timestamp,
    total: MinorUnits,
    points: Points,
  })).openapi({ description: "a sale's returns, oldest first" }),
}).openapi("SaleDetail");

export const saleDetailJson = (d: SaleDetail) => ({
  id: d.sale.id,
  kind: d.sale.kind,
  receiptNumber: d.sale.receipt_number,
  at: isoTime(d.sale.at),
  tradingDay: String(d.sale.trading_day).slice(0, 10),
  store: d.store,
  pos: d.pos,
  customer: d.customer,
  member: d.sale.member,
  currency: d.sale.currency,
  total: d.sale.total,
  points: d.sale.points,
  pointsRedeemed: d.sale.points_redeemed,
  rulesVersion: d.sale.rules_version,
  originalSaleId: d.sale.original_sale_id,
  returnedTotal: d.sale.returned_total,
  lines: d.lines,
  tenders: d.tenders.map((t) => ({
    type: t.type,
    amount: t.amount,
    ...(t.number === undefined ? {} : { number: t.number }),
    ...(t.points === undefined ? {} : { points: t.points }),
  })),
  returns: d.returns.map((r) => ({ ...r, at: isoTime(r.at) })),
});
