/**
 * The basket: everything a rule is evaluated against. Money is integer minor units of
 * `currency` so that facts and points never meet floating-point rounding.
 *
 * Discounts come on lines (`lines[i].discounts`) or on the whole order (`discounts`). An
 * order-level discount is spread over the lines in proportion to their value (see
 * `lineNets`) and counts as a discount on EVERY line (seed 004: "a discount of any kind").
 */
import * as z from "zod";
import { apportion } from "./apportion.ts";
import { CurrencySchema } from "../money/currency.ts";
import { isValidTimeZone } from "../calendar/zones.ts";
import { money } from "../money/minor_units.ts";

/** Minor units; bounded so that sums over a basket stay exact safe integers. */
const MAX_MINOR = 1e12;
const Minor = money(z.int().min(-MAX_MINOR).max(MAX_MINOR), "Paid with this tender");

export const DiscountSchema = z.strictObject({
  kind: z.enum(["item", "sale", "offer", "tender"]),
  amount: money(z.int().positive().max(MAX_MINOR), "Off"),
});

export const LineSchema = z.strictObject({
  sku: z.string().min(1).max(64),
  category: z.string().min(1).max(64),
  quantity: z.int().positive().max(1_000_000),
  unitPrice: money(z.int().nonnegative().max(MAX_MINOR), "Price of one unit"),
  discounts: z.array(DiscountSchema).max(20),
}).superRefine((line, ctx) => {
  // A line can't be discounted below zero: eligible spend is never negative.
  const gross = line.quantity * line.unitPrice;
  if (!Number.isSafeInteger(gross) || gross > MAX_MINOR) {
    ctx.addIssue({ code: "custom", message: "line total too large", path: ["unitPrice"] });
    return;
  }
  const off = line.discounts.reduce((s, d) => s + d.amount, 0);
  if (off > gross) {
    ctx.addIssue({ code: "custom", message: "discounts exceed line total", path: ["discounts"] });
  }
});

/**
 * The customer as the rules see it. Member, staff and plain-customer status come from
 * category 1 and the programme settings (rules/settings.ts), not from the basket; `member`
 * says whether the customer belongs to the loyalty programme at all (holds a card/account).
 */
export const CustomerSchema = z.strictObject({
  /**
   * Category codes; index 0 is category 1, the customer type (seed 004), which every customer
   * has; categories 2-5 may be unset (null), so each code keeps its index.
   */
  categories: z.array(z.string().min(1).max(32).nullable()).min(1).max(5)
    .refine((c) => c[0] !== null, {
      message: "category 1 (the customer type) is required",
      path: [0],
    }),
  member: z.boolean(),
  visitCount: z.int().nonnegative(),
  /** Series (number prefix) of the card the customer identified with, when known. */
  cardSeries: z.string().min(1).max(64).optional(),
});

export const TenderSchema = z.strictObject({
  type: z.string().min(1).max(32),
  amount: Minor,
});

export const BasketSchema = z.strictObject({
  currency: CurrencySchema,
  storeNumber: z.int().nonnegative(),
  posNumber: z.int().nonnegative(),
  channel: z.enum(["pos", "web", "back-office"]),
  at: z.iso.datetime({ offset: true }),
  timezone: z.string().min(1).refine(isValidTimeZone, "unknown IANA timezone"),
  customer: CustomerSchema.optional(),
  lines: z.array(LineSchema).max(1000),
  /** Order-level discounts, spread over the lines by `lineNets`. */
  discounts: z.array(DiscountSchema).max(20).default([]),
  tenders: z.array(TenderSchema).max(50),
}).superRefine((basket, ctx) => {
  const off = basket.discounts.reduce((s, d) => s + d.amount, 0);
  const value = basket.lines.reduce((s, l) => s + lineValue(l), 0);
  if (off > value) {
    ctx.addIssue({
      code: "custom",
      message: "discounts exceed the lines' value",
      path: ["discounts"],
    });
  }
});

export type Basket = z.infer<typeof BasketSchema>;
export type BasketLine = z.infer<typeof LineSchema>;
export type Customer = z.infer<typeof CustomerSchema>;

/** Cash is the one tender that may exceed what is due: the excess is change, handed back. */
const isCash = (type: string) => type.toUpperCase() === "CASH";

/**
 * The tenders as they pay `total`, in order: cash beyond what is still due is change, handed
 * back, so no rule earns on it. Other tenders stay as sent (a sale refuses one that overpays).
 * The same array when nothing is change.
 */
export function tendersAsPaid<T extends { type: string; amount: number }>(
  tenders: readonly T[],
  total: number,
): readonly T[] {
  let due = total;
  let paid: T[] | undefined;
  tenders.forEach((t, i) => {
    const pays = isCash(t.type) ? Math.min(t.amount, Math.max(due, 0)) : t.amount;
    if (pays !== t.amount) (paid ??= [...tenders])[i] = { ...t, amount: pays };
    due -= pays;
  });
  return paid ?? tenders;
}

/** Value of one line before order-level discounts: quantity × unit price less its discounts. */
export function lineValue(line: BasketLine): number {
  let net = line.quantity * line.unitPrice;
  for (const d of line.discounts) net -= d.amount;
  return net;
}

/**
 * Net amount of each line: its value less its share of the order-level discounts. The shares
 * are proportional to the lines' values, by largest remainder (ties to the lower index), so
 * they sum exactly to the order discount and no line goes below zero.
 */
export function lineNets(basket: Basket): number[] {
  const values = basket.lines.map(lineValue);
  const off = basket.discounts.reduce((s, d) => s + d.amount, 0);
  if (off === 0) return values;
  const shares = apportion(off, values.map(BigInt));
  return values.map((v, i) => v - shares[i]);
}
