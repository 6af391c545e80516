/**
 * The CLOSED fact catalogue. A rule can only name a fact listed here; each fact declares the
 * schema of its params, the schema of a value it can be compared with, and whether ordering
 * operators make sense. Per-line logic (selectors over lines, tenders) lives in parameterised
 * facts because json-rules-engine does not iterate over lines. Money facts return integer
 * minor units.
 */
import { z } from "zod";
import { type Basket, type BasketLine, lineNet } from "./basket.ts";

/** What a fact returns and what a condition compares it with. */
export type Scalar = string | number | boolean | null;

// ---- params schemas (exported: the rule schema validates leaf params with them) ----

export const CustomerCategoryParams = z.strictObject({ index: z.int().min(1).max(5) });

const Code = z.string().min(1).max(64);

/**
 * Line selector. A line matches when its SKU is in `skus` OR its category is in `categories`;
 * with neither list, every line matches. `excludeDiscounted` drops lines carrying any discount.
 */
export const LineSelector = z.strictObject({
  skus: z.array(Code).min(1).max(500).optional(),
  categories: z.array(Code).min(1).max(100).optional(),
  excludeDiscounted: z.boolean().optional(),
});
export type LineSelector = z.infer<typeof LineSelector>;

export const TenderAmountParams = z.strictObject({ types: z.array(Code).min(1).max(20) });

// ---- value schemas ----

const Money = z.int().min(-1e15).max(1e15);
const Count = z.int().nonnegative();
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");
const YMD = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "YYYY-MM-DD");

// ---- local time in the store's timezone ----

interface LocalTime {
  dayOfWeek: number;
  timeOfDay: string;
  date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Day, time and date of `at` as seen on the store's wall clock (not UTC, not the server's). */
export function localTime(at: string, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(at))) p[part.type] = part.value;
  return {
    dayOfWeek: WEEKDAY[p.weekday],
    timeOfDay: `${p.hour}:${p.minute}`,
    date: `${p.year}-${p.month}-${p.day}`,
  };
}

// ---- line helpers shared by facts and event bases ----

export function lineMatches(line: BasketLine, sel: LineSelector): boolean {
  if (sel.excludeDiscounted && line.discounts.length > 0) return false;
  if (!sel.skus && !sel.categories) return true;
  return (sel.skus?.includes(line.sku) ?? false) ||
    (sel.categories?.includes(line.category) ?? false);
}

/** Net minor units of the lines matched by the selector. */
export function eligibleSpend(basket: Basket, sel: LineSelector): number {
  let sum = 0;
  for (const line of basket.lines) if (lineMatches(line, sel)) sum += lineNet(line);
  return sum;
}

export function hasAnyDiscount(basket: Basket): boolean {
  return basket.lines.some((l) => l.discounts.length > 0);
}

// ---- the catalogue ----

export interface FactDef {
  /** Params schema; `null` means the fact takes no params (a `params` key is rejected). */
  readonly params: z.ZodType | null;
  /** Schema of one comparison value (arrays for in/notIn are arrays of this). */
  readonly value: z.ZodType<Scalar>;
  /** Whether lessThan/greaterThan… are meaningful for this fact. */
  readonly ordered: boolean;
  /** Computes the fact. `params` is validated again here: the engine hands over plain objects. */
  compute(basket: Basket, params: unknown): Scalar;
}

function plain(value: z.ZodType<Scalar>, ordered: boolean, fn: (b: Basket) => Scalar): FactDef {
  return { params: null, value, ordered, compute: (b) => fn(b) };
}

function withParams<S extends z.ZodType>(
  params: S,
  value: z.ZodType<Scalar>,
  ordered: boolean,
  fn: (b: Basket, p: z.output<S>) => Scalar,
): FactDef {
  return { params, value, ordered, compute: (b, p) => fn(b, params.parse(p ?? {})) };
}

export const FACTS = {
  customerCategory: withParams(
    CustomerCategoryParams,
    z.string().min(1).max(64).nullable(),
    false,
    (b, p) => b.customer?.categories[p.index - 1] ?? null,
  ),
  member: plain(z.boolean(), false, (b) => b.customer?.member ?? false),
  staff: plain(z.boolean(), false, (b) => b.customer?.staff ?? false),
  storeNumber: plain(Count, true, (b) => b.storeNumber),
  posNumber: plain(Count, true, (b) => b.posNumber),
  channel: plain(z.enum(["pos", "web", "back-office"]), false, (b) => b.channel),
  dayOfWeek: plain(z.int().min(1).max(7), true, (b) => localTime(b.at, b.timezone).dayOfWeek),
  timeOfDay: plain(HHMM, true, (b) => localTime(b.at, b.timezone).timeOfDay),
  date: plain(YMD, true, (b) => localTime(b.at, b.timezone).date),
  basketTotal: plain(Money, true, (b) => eligibleSpend(b, {})),
  eligibleSpend: withParams(LineSelector, Money, true, eligibleSpend),
  tenderAmount: withParams(TenderAmountParams, Money, true, (b, p) => {
    let sum = 0;
    for (const t of b.tenders) if (p.types.includes(t.type)) sum += t.amount;
    return sum;
  }),
  visitCount: plain(Count, true, (b) => b.customer?.visitCount ?? 0),
} as const satisfies Record<string, FactDef>;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as FactName[];

export function isFactName(name: string): name is FactName {
  return Object.hasOwn(FACTS, name);
}
