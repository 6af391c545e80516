/**
 * The simulator: what a rule set (the draft, or rules typed in) does to a basket a marketer
 * types, with the engine's trace of why each rule fired or not. The basket is the POS quote's
 * plus what the POS token would have said (store, POS, time zone) and, instead of a real
 * customer, optionally a made-up one (categories, card series, visits).
 */
import { z } from "zod";
import type { Db } from "../db/connection.ts";
import { validationError } from "../errors/problem.ts";
import { CustomerKeySchemas } from "../members/customers.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { groupStores } from "../programme/merchants.ts";
import { getSettings } from "../programme/settings.ts";
import type { Customer as BasketCustomer } from "../rules/basket.ts";
import { localTime } from "../rules/context.ts";
import { evaluate } from "../rules/evaluate.ts";
import { isValidTimeZone } from "../calendar/zones.ts";
import {
  basketCustomer,
  basketOf,
  categorisedLines,
  findCustomer,
  QuoteRequestSchema,
  refOf,
} from "./quote.ts";
import { checkRules, getDraft } from "./rule_sets.ts";

/** Category codes as customers store them: trimmed, upper-cased. */
const CategoryCode = z.string().trim().toUpperCase().min(1, "must not be empty")
  .max(20, "at most 20 characters");

const SimulatedCustomerSchema = z.strictObject({
  number: CustomerKeySchemas.number.optional()
    .describe("A real customer of the programme, by customer number"),
  card: CustomerKeySchemas.card.optional()
    .describe("A real customer of the programme, by loyalty card number"),
  categories: z.array(CategoryCode.nullable()).min(1).max(5).optional()
    .describe("A made-up customer: category codes 1-5 (null for unset), 1 the customer type"),
  cardSeries: z.string().min(1).max(64).optional()
    .describe("Made-up customer: series prefix of their card"),
  visitCount: z.int().nonnegative().max(1_000_000).optional()
    .describe("Made-up customer: visits so far (0 when absent)"),
  member: z.boolean().optional()
    .describe("Made-up customer: holds a card or account of the programme (true when absent)"),
}).superRefine((c, ctx) => {
  const given = (["number", "card", "categories"] as const).filter((k) => c[k] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({ code: "custom", message: "send exactly one of number, card or categories" });
  } else if (given[0] !== "categories") {
    for (const k of ["cardSeries", "visitCount", "member"] as const) {
      if (c[k] !== undefined) {
        ctx.addIssue({ code: "custom", message: "only with categories", path: [k] });
      }
    }
  }
});

// Coupons are the POS's: the simulator prices rules, and redeems nothing.
const SimulatedBasketSchema = QuoteRequestSchema.omit({ coupons: true }).extend({
  storeNumber: z.int().min(0).max(99_999_999)
    .describe("Store of the sale (facts storeNumber; its time zone by default)"),
  posNumber: z.int().min(0).max(99_999_999).optional().describe("POS number; 1 when absent"),
  timezone: z.string().min(1).max(64).refine(isValidTimeZone, "unknown IANA time zone")
    .optional().describe("IANA time zone; the store's when it is a store of the programme"),
  customer: SimulatedCustomerSchema.optional()
    .describe("A real customer (number or card), a made-up one (categories…), or none"),
});

export const SimulateRequestSchema = z.strictObject({
  rules: z.unknown().optional()
    .describe("Rule documents to try; the saved draft when absent"),
  basket: SimulatedBasketSchema,
});
export type SimulateRequest = z.output<typeof SimulateRequestSchema>;
type SimulatedCustomer = z.output<typeof SimulatedCustomerSchema>;

/** The simulated customer as the rules see them; 422 when a real one is not found. */
async function customerOf(
  db: Db,
  group: MerchantGroup,
  input: SimulatedCustomer,
): Promise<BasketCustomer> {
  if (input.categories) {
    return {
      categories: input.categories,
      member: input.member ?? true,
      visitCount: input.visitCount ?? 0,
      ...(input.cardSeries ? { cardSeries: input.cardSeries } : {}),
    };
  }
  const ref = refOf(input);
  const found = await findCustomer(db, group, ref);
  if (!found) {
    const field = `basket.customer.${"card" in ref ? "card" : "number"}`;
    throw validationError([{ field, message: "no customer of this programme has it" }]);
  }
  return basketCustomer(found, ref);
}

/**
 * Evaluates the rules (`request.rules`, validated as a save validates them, or the draft)
 * against the basket under the group's current settings, with the trace.
 */
export async function simulate(db: Db, group: MerchantGroup, request: SimulateRequest) {
  const { basket: input } = request;
  const draft = request.rules === undefined ? await getDraft(db, group) : null;
  const rules = draft ? draft.rules : await checkRules(request.rules);
  const [settings, stores, customer, lines] = await Promise.all([
    getSettings(db, group),
    input.timezone ? [] : groupStores(db, group),
    input.customer ? customerOf(db, group, input.customer) : undefined,
    categorisedLines(db, group, input.lines, "basket."),
  ]);
  const timezone = input.timezone ??
    stores.find((s) => s.number === input.storeNumber)?.timezone;
  if (!timezone) {
    throw validationError([{
      field: "basket.timezone",
      message: `store ${input.storeNumber} is not a store of this programme: give a time zone`,
    }]);
  }
  const basket = basketOf(input, {
    till: { storeNumber: input.storeNumber, posNumber: input.posNumber ?? 1, timezone },
    lines,
    customer,
  }, "basket.");
  const evaluation = await evaluate(rules, basket, settings.settings, { trace: true });
  return {
    draftVersion: draft?.version ?? null,
    basket,
    storeTime: localTime(basket.at, basket.timezone),
    evaluation,
  };
}
