/**
 * The basket: everything a rule is evaluated against. Money is integer minor units of
 * `currency` so that facts and points never meet floating-point rounding.
 */
import { z } from "zod";

/** True when the runtime's ICU knows the ISO 4217 code (a typo like "EUE" is rejected). */
function isKnownCurrency(code: string): boolean {
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: code });
    return Intl.supportedValuesOf("currency").includes(code);
  } catch {
    return false;
  }
}

/** True when the IANA zone name is accepted by Intl (day/time facts depend on it). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, "ISO 4217 code, 3 capital letters")
  .refine(isKnownCurrency, "unknown ISO 4217 currency");

/** Minor units; bounded so that sums over a basket stay exact safe integers. */
const MAX_MINOR = 1e12;
const Minor = z.int().min(-MAX_MINOR).max(MAX_MINOR);

export const DiscountSchema = z.strictObject({
  kind: z.enum(["item", "sale", "offer", "tender"]),
  amount: z.int().positive().max(MAX_MINOR),
});

export const LineSchema = z.strictObject({
  sku: z.string().min(1).max(64),
  category: z.string().min(1).max(64),
  quantity: z.int().positive().max(1_000_000),
  unitPrice: z.int().nonnegative().max(MAX_MINOR),
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

export const CustomerSchema = z.strictObject({
  /** Category codes; index 0 is category 1, the customer type (seed 004). */
  categories: z.array(z.string().min(1).max(32)).min(1).max(5),
  member: z.boolean(),
  staff: z.boolean(),
  visitCount: z.int().nonnegative(),
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
  tenders: z.array(TenderSchema).max(50),
});

export type Basket = z.infer<typeof BasketSchema>;
export type BasketLine = z.infer<typeof LineSchema>;
export type Customer = z.infer<typeof CustomerSchema>;

/** Net amount of one line: quantity × unit price less all of its discounts. */
export function lineNet(line: BasketLine): number {
  let net = line.quantity * line.unitPrice;
  for (const d of line.discounts) net -= d.amount;
  return net;
}
