/**
 * The CLOSED fact catalogue. A rule can only name a fact listed here; each fact declares the
 * schema of its params, the schema of a value it can be compared with, and whether ordering
 * operators make sense. Per-line logic (selectors over lines, tenders) lives in parameterised
 * facts because json-rules-engine does not iterate over lines. Money facts return integer
 * minor units, net of every discount (order-level discounts spread over the lines).
 *
 * Browser-safe: the rule editor imports this module (with rules/schema.ts) without the engine.
 */
import * as z from "zod";
import type { Context } from "./context.ts";
import { lineMatches, LineSelector } from "./selector.ts";

/** What a fact returns and what a condition compares it with. */
export type Scalar = string | number | boolean | null;

// ---- params schemas (exported: the rule schema validates leaf params with them) ----

export const CustomerCategoryParams = z.strictObject({ index: z.int().min(1).max(5) });

const Code = z.string().min(1).max(64);

export const TenderAmountParams = z.strictObject({ types: z.array(Code).min(1).max(20) });

// ---- value schemas ----

const Money = z.int().min(-1e15).max(1e15);
const Count = z.int().nonnegative();
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");
const YMD = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "YYYY-MM-DD");

// ---- line helpers shared by facts and event bases ----

/** Net minor units of the lines matched by the selector. */
export function eligibleSpend(ctx: Context, sel: LineSelector): number {
  let sum = 0;
  for (const line of ctx.lines) if (lineMatches(line, sel)) sum += line.net;
  return sum;
}

/** Units (quantities) of the lines matched by the selector. */
export function eligibleQuantity(ctx: Context, sel: LineSelector): number {
  let sum = 0;
  for (const line of ctx.lines) if (lineMatches(line, sel)) sum += line.quantity;
  return sum;
}

/** Minor units tendered with the given tender types. */
export function tenderAmount(ctx: Context, types: readonly string[]): number {
  let sum = 0;
  for (const t of ctx.basket.tenders) if (types.includes(t.type)) sum += t.amount;
  return sum;
}

// ---- the catalogue ----

export interface FactDef {
  /** One line for the rule editor. */
  readonly help: string;
  /** Params schema; `null` means the fact takes no params (a `params` key is rejected). */
  readonly params: z.ZodType | null;
  /** Schema of one comparison value (arrays for in/notIn are arrays of this). */
  readonly value: z.ZodType<Scalar>;
  /** Whether lessThan/greaterThan… are meaningful for this fact. */
  readonly ordered: boolean;
  /** Computes the fact. `params` is validated again here: the engine hands over plain objects. */
  compute(ctx: Context, params: unknown): Scalar;
  /** The fact with `params` validated once: what a rule set built into an engine computes. */
  bind(params: unknown): (ctx: Context) => Scalar;
}

function plain(
  help: string,
  value: z.ZodType<Scalar>,
  ordered: boolean,
  fn: (ctx: Context) => Scalar,
): FactDef {
  return { help, params: null, value, ordered, compute: fn, bind: () => fn };
}

function withParams<S extends z.ZodType>(
  help: string,
  params: S,
  value: z.ZodType<Scalar>,
  ordered: boolean,
  fn: (ctx: Context, p: z.output<S>) => Scalar,
): FactDef {
  const bind = (p: unknown) => {
    const parsed = params.parse(p ?? {});
    return (ctx: Context) => fn(ctx, parsed);
  };
  return { help, params, value, ordered, compute: (ctx, p) => bind(p)(ctx), bind };
}

export const FACTS = {
  customerCategory: withParams(
    "Code of the customer's category `index` (1 = customer type); null without a customer",
    CustomerCategoryParams,
    z.string().min(1).max(64).nullable(),
    false,
    (ctx, p) => ctx.basket.customer?.categories[p.index - 1] ?? null,
  ),
  member: plain(
    "Earns points: a programme member whose customer type is not a non-loyalty code",
    z.boolean(),
    false,
    (ctx) => ctx.status.member,
  ),
  staff: plain(
    "Customer type is one of the staff loyalty category codes",
    z.boolean(),
    false,
    (ctx) => ctx.status.staff,
  ),
  cardSeries: plain(
    "Series (number prefix) of the customer's card; null when unknown",
    z.string().min(1).max(64).nullable(),
    false,
    (ctx) => ctx.basket.customer?.cardSeries ?? null,
  ),
  storeNumber: plain("Store number", Count, true, (ctx) => ctx.basket.storeNumber),
  posNumber: plain("POS number inside the store", Count, true, (ctx) => ctx.basket.posNumber),
  channel: plain(
    "Sales channel",
    z.enum(["pos", "web", "back-office"]),
    false,
    (ctx) => ctx.basket.channel,
  ),
  dayOfWeek: plain(
    "Day of week in the store's timezone, 1 = Monday … 7 = Sunday",
    z.int().min(1).max(7),
    true,
    (ctx) => ctx.local.dayOfWeek,
  ),
  timeOfDay: plain(
    "Time of day in the store's timezone, HH:MM",
    HHMM,
    true,
    (ctx) => ctx.local.timeOfDay,
  ),
  date: plain("Date in the store's timezone, YYYY-MM-DD", YMD, true, (ctx) => ctx.local.date),
  basketTotal: plain(
    "Net transaction total, minor units",
    Money,
    true,
    (ctx) => ctx.total,
  ),
  eligibleSpend: withParams(
    "Net minor units of the lines the selector matches",
    LineSelector,
    Money,
    true,
    eligibleSpend,
  ),
  eligibleQuantity: withParams(
    "Units (quantity) of the lines the selector matches",
    LineSelector,
    Count,
    true,
    eligibleQuantity,
  ),
  tenderAmount: withParams(
    "Minor units paid with the given tender types",
    TenderAmountParams,
    Money,
    true,
    (ctx, p) => tenderAmount(ctx, p.types),
  ),
  visitCount: plain(
    "Customer's visits so far",
    Count,
    true,
    (ctx) => ctx.basket.customer?.visitCount ?? 0,
  ),
} as const satisfies Record<string, FactDef>;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as FactName[];

export function isFactName(name: string): name is FactName {
  return Object.hasOwn(FACTS, name);
}
