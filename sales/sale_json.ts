/**
 * The API shapes of a sale: the request (the quote's, extended: one definition of the basket)
 * and the answer, which reuses the quote's `points`, `rules` and `lines`.
 */
import { z } from "@hono/zod-openapi";
import { quoteJson, QuoteSchema } from "../earning/earning_json.ts";
import { QuoteRequestSchema, TransactionTime } from "../earning/quote.ts";
import { Uuid } from "../http/openapi.ts";
import type { AppliedCoupon } from "../instruments/coupons.ts";
import { usedCouponsJson } from "../instruments/coupons_json.ts";
import type { Evaluation } from "../rules/awards.ts";
import { POINTS_TENDER_TYPE } from "../rules/earning_base.ts";
import { hasAtMostTwoDecimals, hundredthsToNumber } from "../rules/points.ts";
import { MinorUnits, money } from "../money/minor_units.ts";

/**
 * The Idempotency-Key of a sale or a return, as a header or as a transaction of a sync batch;
 * `missing` is what a request without one is told.
 */
export const idempotencyKey = (missing: string) =>
  z.string({ error: missing }).regex(/^[\x21-\x7e]{1,200}$/, "1 to 200 visible ASCII characters");

/** The tender type of points spent, as sent and as the rules see it. */
export const POINTS_TENDER = "points";
export const POINTS_TENDER_CODE = POINTS_TENDER_TYPE;

/** The tender types paid from a card of the programme, and the instrument type each takes. */
export const CARD_TENDERS = { giftCard: "gift-card", storeCredit: "store-credit" } as const;
export type CardTenderType = keyof typeof CARD_TENDERS;
export const isCardTender = (type: string): type is CardTenderType =>
  Object.hasOwn(CARD_TENDERS, type);

/** What a card tender did, for the answer. */
export interface CardTaken {
  index: number;
  type: CardTenderType;
  number: string;
  amount: number;
  balance: number;
}

/** A billion points: far beyond any balance, and its value stays an exact integer. */
const MAX_TENDER_POINTS = 1e9;

const SaleTenderSchema = z.strictObject({
  type: z.string().min(1).max(32).openapi({
    description: "A tender code such as CASH, `points` for points spent, `giftCard` or " +
      "`storeCredit` for money taken from a card of the programme",
  }),
  number: z.string().regex(/^[\x21-\x7e]{1,64}$/, "1 to 64 visible ASCII characters")
    .optional().openapi({
      description: "With `type: giftCard` or `storeCredit`: the card's number",
    }),
  amount: money(
    z.int().positive("must be more than 0").max(1e12),
    "Paid with this tender, in the sale's currency (every tender but points), more than 0",
  ).optional(),
  points: z.number().positive("must be more than 0").max(MAX_TENDER_POINTS)
    .refine(hasAtMostTwoDecimals, "at most two decimals").optional().openapi({
      description: "With `type: points`: the points spent, at most two decimals",
    }),
}).superRefine((t, ctx) => {
  if (t.type === POINTS_TENDER) {
    if (t.points === undefined) {
      ctx.addIssue({ code: "custom", path: ["points"], message: "a points tender needs points" });
    }
    if (t.amount !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["amount"],
        message: "a points tender is valued by the programme's pointValue: send points only",
      });
    }
    return;
  }
  if (isCardTender(t.type)) {
    if (t.number === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["number"],
        message: `a ${t.type} tender needs the card's number`,
      });
    }
  } else if (t.number !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["number"],
      message: "only a giftCard or storeCredit tender has a number",
    });
  }
  // A money tender typed POINTS would look to tender rules like points spent without any
  // being taken from a balance.
  if (t.type.toUpperCase() === POINTS_TENDER_CODE) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: 'spend points as {"type": "points", "points": …}',
    });
  }
  if (t.amount === undefined) {
    ctx.addIssue({ code: "custom", path: ["amount"], message: "required" });
  }
  if (t.points !== undefined) {
    ctx.addIssue({ code: "custom", path: ["points"], message: "only a points tender has points" });
  }
}).openapi("SaleTender", {
  description: '`{type, amount}` paid in money, `{type: "points", points}` spent from the ' +
    'member\'s points balance, or `{type: "giftCard" | "storeCredit", number, amount}` taken ' +
    "from a card of the programme",
});

export const SaleRequestSchema = QuoteRequestSchema.extend({
  receiptNumber: z.string().trim().regex(
    /^[\x21-\x7e]{1,64}$/,
    "1 to 64 visible ASCII characters",
  ).openapi({
    description: "The receipt number, unique per POS: a second sale with it is a 409",
    example: "R-000123",
  }),
  at: TransactionTime.openapi({
    description: "When the sale happened (ISO 8601 with offset), as the POS recorded it; an " +
      "offline sale keeps its original time. Its date on the store's clock is the trading day",
    example: "2026-03-03T14:30:00+01:00",
  }),
  tenders: z.array(SaleTenderSchema).max(50).openapi({
    description: "Payments, which together pay the sale's net total exactly (after discounts " +
      "and coupons' money off); only cash (`CASH`) may exceed what is still due, the excess " +
      "being the answer's `change`. In request order, no other tender may exceed what the " +
      "tenders before it left due. Points spent are worth points × pointValue minor units " +
      "(settings; 1 by default, so 100 points pay 1.00), which must be a whole number of " +
      "minor units. A sale of 0.00 takes no tender",
  }),
}).meta({ id: "SaleRequest" });
export type SaleRequest = z.output<typeof SaleRequestSchema>;

export const SaleSchema = z.object({
  id: Uuid.openapi({ description: "The sale's id" }),
  receiptNumber: z.string(),
  ...QuoteSchema.pick({
    currency: true,
    rulesVersion: true,
    points: true,
    rules: true,
    lines: true,
    coupons: true,
  }).shape,
  customer: z.object({
    number: z.string().openapi({ description: "Customer number" }),
    balances: z.object({
      points: z.number().openapi({
        description: "Points balance after this sale (earned and coupons' bonus added, spent " +
          "taken), two decimals",
      }),
    }),
    keyLineTotal: z.number().optional().openapi({
      description: "The key line total after this sale; only when the programme shows it",
    }),
  }).nullable().openapi({ description: "The identified customer; null for an anonymous sale" }),
  cards: z.array(z.object({
    tenderIndex: z.number().int().openapi({ description: "Index of the tender in the request" }),
    type: z.enum(["giftCard", "storeCredit"]),
    number: z.string(),
    amount: MinorUnits.openapi({ description: "Taken from the card" }),
    balance: MinorUnits.openapi({ description: "The card's balance after this sale" }),
  })).openapi({ description: "The gift card and store credit tenders, in request order" }),
  change: MinorUnits.openapi({
    description: "Cash to give back: what the cash tendered exceeds the total by; 0 otherwise",
  }),
}).openapi("Sale");
export type Sale = z.output<typeof SaleSchema>;

/** The answer's customer part, points in hundredths. */
export interface SaleCustomer {
  number: string;
  balance: number;
  keyLineTotal?: number;
}

/** A recorded sale as the POS gets it, keys in the documented order. */
export function saleJson(
  sale: { id: string; receiptNumber: string; currency: string; rulesVersion: number | null },
  evaluation: Evaluation,
  customer: SaleCustomer | null,
  coupons: readonly AppliedCoupon[],
  cards: readonly CardTaken[],
  change: number,
): Sale {
  const quote = quoteJson(sale.rulesVersion, evaluation, sale.currency);
  return {
    id: sale.id,
    receiptNumber: sale.receiptNumber,
    currency: sale.currency,
    rulesVersion: sale.rulesVersion,
    points: quote.points,
    rules: quote.rules,
    lines: quote.lines,
    coupons: usedCouponsJson(coupons),
    customer: customer && {
      number: customer.number,
      balances: { points: hundredthsToNumber(customer.balance) },
      ...(customer.keyLineTotal === undefined
        ? {}
        : { keyLineTotal: hundredthsToNumber(customer.keyLineTotal) }),
    },
    cards: cardsJson(cards),
    change,
  };
}

/** The card tenders of a sale or a return as the POS gets them. */
export const cardsJson = (cards: readonly CardTaken[]): Sale["cards"] =>
  cards.map((c) => ({
    tenderIndex: c.index,
    type: c.type,
    number: c.number,
    amount: c.amount,
    balance: c.balance,
  }));
