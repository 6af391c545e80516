/** Shared by the rules tests: a known basket, settings, and both evaluators at once. */
import assert from "node:assert/strict";
import type { Evaluation } from "../../rules/awards.ts";
import { type Basket, BasketSchema } from "../../rules/basket.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { evaluatePlain } from "../../rules/plain.ts";
import { parseRuleSet, type Rule } from "../../rules/schema.ts";
import type { Settings } from "../../rules/settings.ts";

export const SETTINGS: Settings = {
  roundingRule: "none",
  calcPointsOnDiscountedItems: true,
  nonLoyaltyCategoryCodes: ["CASH"],
  staffLoyaltyCategoryCodes: ["STAFF"],
  staffLoyaltyDefaultLocation: 12,
};

export const MEMBER = { all: [{ fact: "member", operator: "equal", value: true }] };

/** A rule document earning `event` for every member; `extra` overrides any field. */
export function doc(id: string, event: unknown, extra: Record<string, unknown> = {}) {
  return { id, name: id, enabled: true, priority: 10, conditions: MEMBER, event, ...extra };
}

export function parseSet(docs: unknown[]): Rule[] {
  const r = parseRuleSet(docs);
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

type Line = Basket["lines"][number];

export function line(sku: string, category: string, quantity: number, unitPrice: number): Line {
  return { sku, category, quantity, unitPrice, discounts: [] };
}

/** 12.34 EUR of SHOES, 5.00 of SOCKS, GOLD member, Tuesday 2025-03-04 11:00 in Paris, store 1. */
export function basket(overrides: Record<string, unknown> = {}): Basket {
  return BasketSchema.parse({
    currency: "EUR",
    storeNumber: 1,
    posNumber: 2,
    channel: "pos",
    at: "2025-03-04T10:00:00Z",
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD"], member: true, visitCount: 1 },
    lines: [line("A1", "SHOES", 1, 1234), line("B1", "SOCKS", 2, 250)],
    tenders: [{ type: "VISA", amount: 1734 }],
    ...overrides,
  });
}

/** Evaluates with the engine AND the plain oracle, asserts they agree, returns the answer. */
export async function both(
  rules: readonly Rule[],
  b: Basket,
  settings: Settings = SETTINGS,
): Promise<Evaluation> {
  const engine = await evaluate(rules, b, settings);
  assert.deepEqual(engine, evaluatePlain(rules, b, settings));
  return engine;
}

/** `{ruleId: points}` of an evaluation, for short assertions. */
export function byRule(e: Evaluation): Record<string, number> {
  return Object.fromEntries(e.awards.map((a) => [a.ruleId, a.points]));
}
