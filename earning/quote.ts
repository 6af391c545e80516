/**
 * The quote: from what a POS sends (lines, discounts, tenders, a customer's number or card) to
 * what the published rules make of it, with nothing written. The sale prices its basket
 * through the same `priceBasket`, so a quote and the sale that follows it agree.
 *
 * The basket the rules see (rules/basket.ts) is assembled here: store, POS and time zone come
 * from the device, a line without a category takes its item's category from the catalogue,
 * the customer is looked up in the programme, and the coupons' money off is added to the
 * order-level discounts (so the rules award points on what is paid).
 */
import { z } from "zod";
import { categoriesOf } from "../catalogue/items.ts";
import type { Db } from "../db/connection.ts";
import { type FieldError, notFound, validationError, zodFieldErrors } from "../errors/problem.ts";
import {
  type CustomerDetail,
  CustomerKeySchemas,
  lookupCustomersWithFigures,
} from "../members/customers.ts";
import { CurrencySchema } from "../money/currency.ts";
import { isTransactionTime, TRANSACTION_YEARS } from "../calendar/zones.ts";
import type { ProgrammeCache } from "../programme/cache.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import type { Evaluation } from "../rules/awards.ts";
import {
  type Basket,
  type BasketLine,
  BasketSchema,
  type Customer as BasketCustomer,
  DiscountSchema,
  TenderSchema,
} from "../rules/basket.ts";
import { evaluate } from "../rules/evaluate.ts";
import { customerStatus } from "../rules/settings.ts";
import {
  type AppliedCoupon,
  applyCoupons,
  type Coupon,
  CouponCode,
  findCoupons,
  MAX_COUPONS,
  unknownCoupon,
  withCouponDiscounts,
} from "../instruments/coupons.ts";
import { publishedRules } from "./rule_sets.ts";
import { money } from "../money/minor_units.ts";

const Discounts = z.array(DiscountSchema).max(20)
  .describe("Discounts, each `{kind: item | sale | offer | tender, amount}` in minor units");

const QuoteLineSchema = z.strictObject({
  sku: z.string().min(1).max(64).describe("The item's SKU"),
  category: z.string().min(1).max(64).optional()
    .describe("Item category; when absent, the category of the SKU in the catalogue"),
  quantity: z.int().positive().max(1_000_000).describe("Units sold"),
  unitPrice: money(z.int().nonnegative().max(1e12), "Price of one unit"),
  discounts: Discounts.optional().describe("This line's discounts, minor units off the line"),
});

/** Whom a POS quotes for: a customer of the programme, by customer number or card number. */
const CustomerRefSchema = z.strictObject({
  number: CustomerKeySchemas.number.optional().describe("Customer number"),
  card: CustomerKeySchemas.card.optional().describe("Loyalty card number"),
}).refine((c) => (c.number === undefined) !== (c.card === undefined), {
  message: "send exactly one of number or card",
});
export type CustomerRef = { number: string } | { card: string };

/** The one key a validated `CustomerRefSchema` (or a schema built on it) carries. */
export const refOf = (c: { number?: string; card?: string }): CustomerRef =>
  c.card !== undefined ? { card: c.card } : { number: c.number! };

/** When a sale or return happened, as the POS recorded it: an ISO 8601 time with its offset. */
export const TransactionTime = z.iso.datetime({ offset: true }).refine(
  isTransactionTime,
  `a time in the years ${TRANSACTION_YEARS.from} to ${TRANSACTION_YEARS.to}`,
);

export const QuoteRequestSchema = z.strictObject({
  currency: CurrencySchema.describe("ISO 4217 code; every amount is in its minor units"),
  at: TransactionTime.optional()
    .describe("When the sale happens (ISO 8601 with offset); now when absent"),
  channel: z.enum(["pos", "web", "back-office"]).optional().describe("Sales channel; pos"),
  customer: CustomerRefSchema.optional()
    .describe("The customer, by number or card; an anonymous sale when absent"),
  lines: z.array(QuoteLineSchema).max(1000).describe("Basket lines, referred to by index"),
  discounts: Discounts.optional().describe("Order-level discounts, spread over the lines"),
  tenders: z.array(TenderSchema).max(50).describe(
    "Payments: `{type, amount}`, the type a code such as CASH or GIFT; `POINTS` is points " +
      "spent, its amount their money value (points × pointValue), on which nothing is earned " +
      "unless the setting pointsEarnedOnPartPaidWithPoints is on",
  ),
  coupons: z.array(CouponCode).max(MAX_COUPONS).superRefine((codes, ctx) => {
    codes.forEach((code, i) => {
      if (codes.indexOf(code) < i) {
        ctx.addIssue({ code: "custom", path: [i], message: `${code} is already in the list` });
      }
    });
  }).optional().describe(
    "Coupon codes, each at most once: their money off is an order-level discount of kind " +
      "offer on the basket the rules see (send lines at their price before the coupons), " +
      "their bonus points go to the member",
  ),
});
export type QuoteRequest = z.output<typeof QuoteRequestSchema>;
type QuoteLine = z.output<typeof QuoteLineSchema>;

/** Where the sale happens: from the device token at the POS, typed in by the simulator. */
export interface Till {
  storeNumber: number;
  posNumber: number;
  timezone: string;
}

/** A customer of the programme with details, and their visits so far (member statistics). */
export interface FoundCustomer {
  detail: CustomerDetail;
  visits: number;
}

/** The customer of the programme `ref` names; null when there is none. One statement. */
export async function findCustomer(
  db: Db,
  group: MerchantGroup,
  ref: CustomerRef,
): Promise<FoundCustomer | null> {
  const [found] = await lookupCustomersWithFigures(db, group, ref, null);
  return found ? { detail: found.detail, visits: found.figures.statistics.visits } : null;
}

/**
 * The customer as the rules see them. In the programme (`member`) when they hold a loyalty
 * card or an account; the settings decide the rest from category 1. `cardSeries` is the
 * prefix of the card they identified with, else of their first active card. `visitCount` is
 * their visits before this sale, from the member statistics.
 */
export function basketCustomer(found: FoundCustomer, ref: CustomerRef): BasketCustomer {
  const { detail } = found;
  const card = "card" in ref
    ? detail.cards.find((c) => c.number === ref.card)
    : detail.cards.find((c) => c.status === "active");
  return {
    categories: detail.customer.categories.map((code) => code || null),
    member: detail.cards.length > 0 || detail.accounts.length > 0,
    visitCount: found.visits,
    ...(card?.prefix ? { cardSeries: card.prefix } : {}),
  };
}

/**
 * Lines with their categories: as sent, else the catalogue's (one statement for every SKU
 * without one). An unknown SKU without a category is a 422 on `<prefix>lines.N.category`.
 */
export async function categorisedLines(
  db: Db,
  group: MerchantGroup,
  lines: readonly QuoteLine[],
  prefix = "",
): Promise<BasketLine[]> {
  const missing = [...new Set(lines.filter((l) => !l.category).map((l) => l.sku))];
  const known = missing.length ? await categoriesOf(db, group, missing) : new Map();
  const errors: FieldError[] = [];
  const out = lines.map((line, i): BasketLine => {
    const category = line.category ?? known.get(line.sku);
    if (!category) {
      errors.push({
        field: `${prefix}lines.${i}.category`,
        message: `SKU ${line.sku} is not in the catalogue: send the line's category`,
      });
    }
    return {
      sku: line.sku,
      category: category ?? "",
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      discounts: line.discounts ?? [],
    };
  });
  if (errors.length) throw validationError(errors);
  return out;
}

/**
 * The basket from its parts, checked as the rules check it (a line's discounts within its
 * total, order discounts within the lines' value); 422s name fields as `<prefix>lines.0…`.
 */
export function basketOf(
  request: Omit<QuoteRequest, "customer" | "lines">,
  parts: { till: Till; lines: BasketLine[]; customer?: BasketCustomer; now?: Date },
  prefix = "",
): Basket {
  const parsed = BasketSchema.safeParse({
    currency: request.currency,
    storeNumber: parts.till.storeNumber,
    posNumber: parts.till.posNumber,
    channel: request.channel ?? "pos",
    at: request.at ?? (parts.now ?? new Date()).toISOString(),
    timezone: parts.till.timezone,
    ...(parts.customer ? { customer: parts.customer } : {}),
    lines: parts.lines,
    discounts: request.discounts ?? [],
    tenders: request.tenders,
  });
  if (!parsed.success) {
    throw validationError(
      zodFieldErrors(parsed.error).map((e) => ({ ...e, field: prefix + e.field })),
    );
  }
  return parsed.data;
}

/** A priced basket: what the published rules (null: none yet) award it. */
export interface PricedBasket {
  rulesVersion: number | null;
  /** The basket the rules saw: the coupons' money is among its order-level discounts. */
  basket: Basket;
  customer: CustomerDetail | null;
  evaluation: Evaluation;
  /** The request's coupons, in its order, with what each gives. */
  coupons: AppliedCoupon[];
}

/**
 * Prices a POS basket with the group's published rules (from the programme cache). Reads at
 * most two statements once the cache is warm: the customer, and the categories of SKUs sent
 * without one; a third with coupons. An unknown customer is a 404: a POS quotes for a customer
 * it has identified, and points quoted as if anonymous would mislead the cashier. So is an
 * unknown coupon, and one that cannot be used is refused as the sale would refuse it
 * (instruments/coupons.ts `applyCoupons`); nothing is redeemed here.
 */
export async function priceBasket(
  db: Db,
  programmes: ProgrammeCache,
  programme: { group: MerchantGroup; settings: LoyaltySettings },
  till: Till,
  request: QuoteRequest,
): Promise<PricedBasket> {
  const { group, settings } = programme;
  const ref = request.customer && refOf(request.customer);
  const [customer, lines, published, coupons] = await Promise.all([
    ref ? findCustomer(db, group, ref) : null,
    categorisedLines(db, group, request.lines),
    publishedRules(programmes, db, group),
    findCoupons(db, group.id, request.coupons ?? []),
  ]);
  if (ref && !customer) throw notFound("customer");
  const unknown = coupons.findIndex((c) => !c);
  if (unknown >= 0) throw unknownCoupon(unknown);
  const sent = basketOf(request, {
    till,
    lines,
    customer: customer && ref ? basketCustomer(customer, ref) : undefined,
  });
  const applied = applyCoupons(coupons as Coupon[], sent, customerStatus(sent, settings).member);
  const basket = withCouponDiscounts(sent, applied);
  const evaluation = await evaluate(published?.rules ?? [], basket, settings);
  return {
    rulesVersion: published?.version ?? null,
    basket,
    customer: customer?.detail ?? null,
    evaluation,
    coupons: applied,
  };
}
