/**
 * Validation before a rule or rule set can be saved: the strict schema, then a smoke run of
 * the real engine on fixture baskets, so a document that would throw at the POS is rejected
 * first. Server-side (it runs the engine); the browser validates with rules/schema.ts alone.
 */
import * as z from "zod";
import type { Basket } from "./basket.ts";
import { evaluate } from "./evaluate.ts";
import {
  type ParseResult,
  parseRule,
  parseRuleSet,
  type Rule,
  type RuleSetParseResult,
} from "./schema.ts";
import type { Settings } from "./settings.ts";

/** Baskets every rule is run against: a discounted staff member's sale, an anonymous one. */
export const FIXTURE_BASKETS: readonly Basket[] = [
  {
    currency: "EUR",
    storeNumber: 1,
    posNumber: 1,
    channel: "pos",
    at: "2025-03-04T10:30:00Z",
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD", "X"], member: true, visitCount: 3, cardSeries: "LOY" },
    lines: [
      { sku: "A1", category: "SHOES", quantity: 2, unitPrice: 4999, discounts: [] },
      {
        sku: "B2",
        category: "SOCKS",
        quantity: 1,
        unitPrice: 500,
        discounts: [{ kind: "sale", amount: 100 }],
      },
    ],
    discounts: [{ kind: "offer", amount: 200 }],
    tenders: [{ type: "CASH", amount: 10198 }],
  },
  {
    currency: "JPY",
    storeNumber: 2,
    posNumber: 7,
    channel: "web",
    at: "2025-03-05T23:59:00+09:00",
    timezone: "Asia/Tokyo",
    lines: [],
    discounts: [],
    tenders: [],
  },
];

/** Settings under which every event type can fire on the first fixture. */
const SMOKE_SETTINGS: Settings = {
  roundingRule: "none",
  calcPointsOnDiscountedItems: true,
  nonLoyaltyCategoryCodes: [],
  staffLoyaltyCategoryCodes: ["GOLD"],
  staffLoyaltyDefaultLocation: null,
};

/** The engine's complaint about `rules`, if any, on the fixture baskets. */
async function smokeRun(rules: readonly Rule[]): Promise<string | null> {
  for (const basket of FIXTURE_BASKETS) {
    try {
      await evaluate(rules, basket, SMOKE_SETTINGS);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  return null;
}

function engineIssue(message: string): z.core.$ZodIssue[] {
  return [{ code: "custom", message: `fails in the engine: ${message}`, path: [] }];
}

/** Schema + smoke run of one rule document. */
export async function validateRule(input: unknown): Promise<ParseResult> {
  const parsed = parseRule(input);
  if (!parsed.success) return parsed;
  const problem = await smokeRun([parsed.data]);
  if (problem === null) return parsed;
  return { success: false, error: new z.ZodError(engineIssue(problem)) as z.ZodError<Rule> };
}

/** Schema (with the set's cross-rule checks) + smoke run of a whole rule set. */
export async function validateRuleSet(input: unknown): Promise<RuleSetParseResult> {
  const parsed = parseRuleSet(input);
  if (!parsed.success) return parsed;
  const problem = await smokeRun(parsed.data);
  if (problem === null) return parsed;
  return { success: false, error: new z.ZodError(engineIssue(problem)) as z.ZodError<Rule[]> };
}
