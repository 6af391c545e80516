/**
 * The API shapes of a return: the request (what comes back, against which receipt, refunded
 * how) and the answer (what points it reversed, per line, and the customer's balance after).
 */
import { z } from "@hono/zod-openapi";
import { QuoteRequestSchema } from "../earning/quote.ts";
import { Uuid } from "../http/openapi.ts";
import { hundredthsToNumber } from "../rules/points.ts";
import type { RestoredCoupon } from "../instruments/coupons.ts";
import type { RecordedTender } from "./payment.ts";
import { cardsJson, type CardTaken, SaleRequestSchema, SaleSchema } from "./sale_json.ts";
import { MinorUnits, money } from "../money/minor_units.ts";

const Sale = SaleRequestSchema.shape;

const OriginalSchema = z.strictObject({
  receiptNumber: Sale.receiptNumber.openapi({
    description: "The original sale's receipt number",
  }),
  storeNumber: z.int().min(1).max(99_999_999).optional().openapi({
    description: "Store of the original sale; this POS's store when absent",
  }),
  posNumber: z.int().min(1).max(99_999_999).optional().openapi({
    description: "POS of the original sale; this POS when absent",
  }),
}).openapi("ReturnOriginal", { description: "The original receipt, when the customer has it" });

const ReturnLineSchema = z.strictObject({
  originalLineIndex: z.int().nonnegative().max(999).optional().openapi({
    description: "Index of the line in the original sale; when absent, the first line of that " +
      "SKU with units left to return",
  }),
  sku: z.string().min(1).max(64).openapi({ description: "The item's SKU" }),
  category: z.string().min(1).max(64).optional().openapi({
    description: "Without the original receipt: the item's category when the SKU is not in " +
      "the catalogue (as in a sale)",
  }),
  quantity: z.int().positive().max(1_000_000).openapi({ description: "Units returned" }),
  unitPrice: money(
    z.int().nonnegative().max(1e12),
    "Price of one unit (without the original receipt, the value returned is quantity × " +
      "unitPrice; with it, the line's value as sold)",
  ),
});

export const ReturnRequestSchema = z.strictObject({
  receiptNumber: Sale.receiptNumber.openapi({
    description: "The return's own receipt number, unique per POS (sales and returns alike)",
  }),
  at: Sale.at.openapi({ description: "When the return happened (ISO 8601 with offset)" }),
  currency: QuoteRequestSchema.shape.currency.optional().openapi({
    description: "ISO 4217 code; the original sale's when absent, required without it",
  }),
  original: OriginalSchema.optional(),
  customer: QuoteRequestSchema.shape.customer.openapi({
    description: "Without the original receipt: whose points the return reverses, by number " +
      "or card. With it, the original sale's customer is used and this must be absent",
  }),
  lines: z.array(ReturnLineSchema).min(1, "return at least one line").max(1000),
  tenders: Sale.tenders.openapi({
    description: "How the return pays back the value returned; the named tenders together " +
      "pay back exactly that value, each at most what the ones before it left (no change on " +
      "a refund), every one more than 0: money tenders as `{type, amount}`; " +
      '`{type: "points", points}` gives back that many of the points the sale spent (with the ' +
      'original receipt only; worth points × pointValue); `{type: "giftCard" | "storeCredit", ' +
      "number, amount}` puts that money onto the card (active, of the programme, in the " +
      "return's currency). Required without the original receipt. With it and none sent, the " +
      "value goes back to the sale's own tenders: the spent points in proportion to the value " +
      "returned, then the cards, each up to what it paid less what earlier returns gave back " +
      "to it, then the other tenders (cash, …) the same way",
  }),
}).meta({ id: "ReturnRequest" });
export type ReturnRequest = z.output<typeof ReturnRequestSchema>;

export const ReturnSchema = z.object({
  id: Uuid.openapi({ description: "The return's id" }),
  receiptNumber: z.string(),
  currency: z.string().openapi({
    description:
      "ISO 4217 code of every amount of money in this answer: the original sale's, else the one sent",
  }),
  pointsReversed: z.number().openapi({
    description: "Points taken back (earned by the returned lines), two decimals",
  }),
  pointsRefunded: z.number().openapi({
    description: "Spent points given back to the member, two decimals",
  }),
  value: MinorUnits.openapi({ description: "Value returned" }),
  lines: z.array(z.object({
    index: z.int().openapi({ description: "Index of the line in the return request" }),
    originalLineIndex: z.int().nullable().openapi({
      description: "The original sale's line; null without the original receipt",
    }),
    pointsReversed: z.number(),
  })),
  customer: z.object({
    number: z.string(),
    balances: z.object({
      points: z.number().openapi({
        description: "Points balance after the return; may be below zero (points owed)",
      }),
    }),
  }).nullable().openapi({ description: "The customer whose points moved; null if none" }),
  cards: SaleSchema.shape.cards.openapi({
    description: "Money put back onto gift cards and store credit (`tenderIndex` -1: worked " +
      "out from the original sale's card tenders), with each card's balance after",
  }),
  tenders: z.array(z.object({
    tenderIndex: z.int().openapi({
      description: "Index of the tender in the request; -1: worked out from the original " +
        "sale's tenders",
    }),
    type: z.string().openapi({ description: "The tender's type, as sent or as the sale had it" }),
    amount: MinorUnits.openapi({
      description: "Paid back with it (a points tender: what its points are worth)",
    }),
    number: z.string().optional().openapi({ description: "A card tender's card" }),
    points: z.number().optional().openapi({
      description: "A points tender: the spent points given back, two decimals",
    }),
  })).openapi({
    description: "How the value returned is paid back, in order: together exactly `value`",
  }),
  couponsRestored: z.array(z.object({
    code: z.string(),
    usesLeft: z.int().nullable().openapi({ description: "Uses left now; null: unlimited" }),
  })).openapi({
    description: "The coupons of the sale whose use this return gave back: only the return " +
      "that completes the full return of the sale, for coupons of a series with " +
      "`fullReturnRestoresUses` that have not expired; empty otherwise",
  }),
}).openapi("Return");
export type Return = z.output<typeof ReturnSchema>;

/** A recorded return as the POS gets it, points from hundredths. */
export function returnJson(r: {
  id: string;
  receiptNumber: string;
  currency: string;
  pointsReversed: number;
  pointsRefunded: number;
  value: number;
  lines: { index: number; originalLineIndex: number | null; pointsReversed: number }[];
  customer: { number: string; balance: number } | null;
  cards: readonly CardTaken[];
  tenders: readonly (RecordedTender & { index: number })[];
  couponsRestored: readonly RestoredCoupon[];
}): Return {
  return {
    id: r.id,
    receiptNumber: r.receiptNumber,
    currency: r.currency,
    pointsReversed: hundredthsToNumber(r.pointsReversed),
    pointsRefunded: hundredthsToNumber(r.pointsRefunded),
    value: r.value,
    lines: r.lines.map((l) => ({
      index: l.index,
      originalLineIndex: l.originalLineIndex,
      pointsReversed: hundredthsToNumber(l.pointsReversed),
    })),
    customer: r.customer && {
      number: r.customer.number,
      balances: { points: hundredthsToNumber(r.customer.balance) },
    },
    cards: cardsJson(r.cards),
    tenders: r.tenders.map((t) => ({
      tenderIndex: t.index,
      type: t.type,
      amount: t.amount,
      ...(t.number === undefined ? {} : { number: t.number }),
      ...(t.points === undefined ? {} : { points: hundredthsToNumber(t.points) }),
    })),
    couponsRestored: r.couponsRestored.map((c) => ({ code: c.code, usesLeft: c.usesLeft })),
  };
}
