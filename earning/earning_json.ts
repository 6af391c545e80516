/**
 * The API shapes of rule sets, the quote and the simulator, and the mapping to them. Points
 * leave as JSON numbers with at most two decimals (the ledger keeps integer hundredths).
 */
import { z } from "@hono/zod-openapi";
import { IdParam, isoTime, Timestamp } from "../http/openapi.ts";
import { type LoyaltySettings, ROUNDING_LABELS } from "../programme/settings_schema.ts";
import type { Evaluation } from "../rules/awards.ts";
import { BasketSchema } from "../rules/basket.ts";
import { ruleCatalogue } from "../rules/catalogue.ts";
import { hundredthsToNumber, ROUNDING_MODES } from "../rules/points.ts";
import { RuleSchema } from "../rules/schema.ts";
import type { TracedEvaluation } from "../rules/trace.ts";
import { UsedCouponSchema, usedCouponsJson } from "../instruments/coupons_json.ts";
import { CouponCheckRequestSchema } from "./coupon_check.ts";
import { type PricedBasket, QuoteRequestSchema } from "./quote.ts";
import type { Draft, PublishedSummary, PublishedVersion } from "./rule_sets.ts";
import { type simulate, SimulateRequestSchema } from "./simulate.ts";
import { MinorUnits } from "../money/minor_units.ts";

// `.meta`, not `.openapi`: these schemas are built with plain zod in the services.
export const Rule = RuleSchema.meta({
  id: "Rule",
  description: "An earning rule document (rules/schema.ts; README: Writing earning rules)",
});
export const QuoteRequest = QuoteRequestSchema.meta({ id: "QuoteRequest" });
export const CouponCheckRequest = CouponCheckRequestSchema.meta({ id: "CouponCheckRequest" });
export const SimulateRequest = SimulateRequestSchema.meta({ id: "SimulateRequest" });

const Points = z.number().openapi({
  description: "Points, at most two decimals",
  example: 17.34,
});
const Version = z.number({ error: "must be a number" }).int("must be a whole number")
  .min(1, "must be 1 or more").max(2_147_483_647, "too large");

/** The rules field of a request: checked by the rule-set validation, which reports `rules/…`. */
const RulesField = z.unknown().openapi({
  type: "array",
  items: { $ref: "#/components/schemas/Rule" },
  description: "The rule documents (at most 200, ids unique). Errors name the rule's index " +
    "and field, e.g. `rules/2/conditions/all/0/value`",
});

export const DraftSchema = z.object({
  version: z.number().int().openapi({ description: "Draft version; 1 for a new programme" }),
  rules: z.array(Rule),
  updatedAt: Timestamp,
  updatedBy: z.string().nullable().openapi({
    description: "Email of who saved it; null for a new programme's empty draft",
  }),
}).openapi("RuleSetDraft");

export const PublishedSummarySchema = z.object({
  version: z.number().int().openapi({ description: "Published version: 1, 2, 3…" }),
  draftVersion: z.number().int().openapi({
    description: "The draft version it was published from: the draft has unpublished " +
      "changes when its version differs from the latest published draftVersion",
  }),
  publishedAt: Timestamp,
  publishedBy: z.string().nullable().openapi({ description: "Email of who published it" }),
  ruleCount: z.number().int(),
}).openapi("PublishedRuleSet");

export const RuleSetSchema = z.object({
  draft: DraftSchema,
  published: PublishedSummarySchema.nullable().openapi({
    description: "The latest published version, which the POS evaluates; null before the first",
  }),
}).openapi("RuleSet");

export const PublishedVersionSchema = PublishedSummarySchema.extend({ rules: z.array(Rule) })
  .openapi("PublishedRuleSetVersion");

export const DraftBody = z.object({
  version: Version.openapi({
    description: "The draft version these rules were based on (from GET); an older one is " +
      "refused with 409 `stale-version`",
  }),
  rules: RulesField,
}).strict().openapi("RuleSetDraftInput");

export const PublishBody = z.object({
  draftVersion: Version.openapi({
    description: "The draft version being published: must be the current one, else 409 " +
      "`stale-version` (what is published is what the publisher reviewed)",
  }),
}).strict().openapi("PublishRuleSet");

export const VersionParam = IdParam.extend({
  n: z.string().regex(/^[1-9][0-9]{0,8}$/).openapi({
    param: { name: "n", in: "path" },
    description: "Published version number",
    example: "1",
  }),
});

export const draftJson = (d: Draft) => ({
  version: d.version,
  rules: d.rules,
  updatedAt: isoTime(d.updatedAt),
  updatedBy: d.updatedBy,
});

export const summaryJson = (p: PublishedSummary) => ({
  version: p.version,
  draftVersion: p.draftVersion,
  publishedAt: isoTime(p.publishedAt),
  publishedBy: p.publishedBy,
  ruleCount: p.ruleCount,
});

export const versionJson = (p: PublishedVersion) => ({ ...summaryJson(p), rules: p.rules });

// ---- the quote ----

const LinePoints = z.object({
  index: z.number().int().openapi({ description: "Index of the line in the request" }),
  points: Points,
});

const QuoteFields = {
  currency: z.string().openapi({
    description: "ISO 4217 code of every amount of money in this answer: the basket's",
  }),
  member: z.boolean().openapi({
    description: "Earns points: a customer of the programme whose type is not non-loyalty",
  }),
  staff: z.boolean().openapi({ description: "Customer type is a staff loyalty code" }),
  nonLoyalty: z.boolean().openapi({
    description: "No customer, or a plain (non-loyalty) one: earns nothing, a non-member sale",
  }),
  total: MinorUnits.openapi({ description: "Net total after every discount" }),
  points: Points.openapi({ description: "Points earned: the sum of the rules' points" }),
  rules: z.array(z.object({
    id: z.string().openapi({ description: "Rule id" }),
    name: z.string(),
    type: z.enum(["basic-points", "item-points", "basket-points", "tender-points", "multiplier"]),
    points: Points.openapi({ description: "Rounded per rule (the rule's or the programme's)" }),
    reference: z.string().openapi({
      description: "Ledger reference code of these points (SALE unless the rule says, e.g. ONBO)",
    }),
    lines: z.array(LinePoints).openapi({ description: "Lines that earned part of them" }),
  })).openapi({ description: "Each rule that fired and earns points, highest priority first" }),
  lines: z.array(LinePoints).openapi({ description: "Every line: what it earned in all" }),
  discounts: z.array(z.object({
    ruleId: z.string(),
    lineIndex: z.number().int().optional(),
    amount: MinorUnits.openapi({ description: "Off the line" }),
  })).openapi({ description: "Staff discounts for the POS to apply" }),
};

export const QuoteSchema = z.object({
  rulesVersion: z.number().int().nullable().openapi({
    description: "The published rule set version that priced the basket; null: none published",
  }),
  ...QuoteFields,
  coupons: z.array(UsedCouponSchema).openapi({
    description: "The request's coupons, in its order: the money each takes off (an " +
      "order-level discount the rules saw) and its bonus points (not in `points`)",
  }),
}).openapi("Quote");

const points = hundredthsToNumber;

/** A priced basket as the quote answers it. */
export const pricedJson = (priced: PricedBasket) => ({
  ...quoteJson(priced.rulesVersion, priced.evaluation, priced.basket.currency),
  coupons: usedCouponsJson(priced.coupons),
});

/** An evaluation as the quote answers it, without coupons. */
export function quoteJson(rulesVersion: number | null, e: Evaluation, currency: string) {
  return {
    rulesVersion,
    currency,
    member: e.member,
    staff: e.staff,
    nonLoyalty: e.nonLoyalty,
    total: e.total,
    points: points(e.points),
    rules: e.awards.map((a) => ({
      id: a.ruleId,
      name: a.name,
      type: a.type,
      points: points(a.points),
      reference: a.reference,
      lines: a.lines.map((l) => ({ index: l.index, points: points(l.points) })),
    })),
    lines: e.lines.map((l) => ({ index: l.index, points: points(l.points) })),
    discounts: e.discounts.map((d) => ({
      ruleId: d.ruleId,
      lineIndex: d.lineIndex,
      amount: d.amount,
    })),
  };
}

// ---- the simulator ----

const ConditionTrace: z.ZodType = z.object({
  fact: z.string().optional(),
  params: z.unknown().optional(),
  path: z.string().optional(),
  operator: z.string().optional(),
  value: z.unknown().optional().openapi({ description: "What the rule compares with" }),
  factValue: z.unknown().optional().openapi({
    description: "The fact's value the engine saw; absent when the leaf was not evaluated",
  }),
  result: z.boolean().optional().openapi({
    description: "Absent when the engine did not need this condition",
  }),
  get all() {
    return z.array(ConditionTrace).optional();
  },
  get any() {
    return z.array(ConditionTrace).optional();
  },
  get not() {
    return ConditionTrace.optional();
  },
}).openapi("ConditionTrace", {
  description: "A condition leaf (fact, operator, value, factValue, result) or a group " +
    "(all, any or not, with its result)",
});

export const RuleTraceSchema = z.object({
  ruleId: z.string(),
  name: z.string(),
  type: z.string(),
  priority: z.number().int(),
  status: z.enum(["fired", "not-fired", "disabled"]),
  gate: z.array(ConditionTrace).openapi({
    description: "Conditions the settings put before the rule's own (member, discounts, staff)",
  }),
  conditions: ConditionTrace,
}).openapi("RuleTrace");

export const SimulationSchema = QuoteSchema.omit({ coupons: true }).extend({
  draftVersion: z.number().int().nullable().openapi({
    description: "The draft version simulated; null when the request sent its own rules",
  }),
  basket: BasketSchema.meta({ id: "Basket", description: "The basket the rules saw" }),
  storeTime: z.object({
    dayOfWeek: z.number().int().openapi({ description: "1 = Monday … 7 = Sunday" }),
    timeOfDay: z.string().openapi({ example: "14:30" }),
    date: z.string().openapi({ example: "2025-03-04" }),
  }).openapi({ description: "The sale's time on the store's clock" }),
  trace: z.array(RuleTraceSchema).openapi({
    description: "Every rule in set order: whether it fired, and what each condition saw",
  }),
}).openapi("RuleSimulation");

export function simulationJson(s: Awaited<ReturnType<typeof simulate>>) {
  const evaluation: TracedEvaluation = s.evaluation;
  return {
    ...quoteJson(null, evaluation, s.basket.currency),
    draftVersion: s.draftVersion,
    basket: s.basket,
    storeTime: s.storeTime,
    trace: evaluation.trace,
  };
}

// ---- the editor's catalogue ----

export const CatalogueSchema = z.object({
  facts: z.array(z.object({
    name: z.string(),
    label: z.string(),
    help: z.string(),
    kind: z.string().openapi({
      description: "Value picker: code, boolean, integer, money (minor units), weekday, " +
        "time (HH:MM), date (YYYY-MM-DD) or channel",
    }),
    nullable: z.boolean(),
    ordered: z.boolean(),
    operators: z.array(z.string()).openapi({ description: "Operators validation accepts" }),
    params: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "JSON Schema of the fact's params; null: it takes none",
    }),
    value: z.record(z.string(), z.unknown()).openapi({
      description: "JSON Schema of one comparison value",
    }),
  })),
  operators: z.array(z.object({
    name: z.string(),
    label: z.string(),
    list: z.boolean().openapi({ description: "Takes an array value" }),
  })),
  events: z.array(z.object({
    type: z.string(),
    label: z.string(),
    help: z.string(),
    params: z.record(z.string(), z.unknown()).openapi({ description: "JSON Schema of params" }),
  })),
  roundings: z.array(z.object({ value: z.string(), label: z.string() })),
  weekdays: z.array(z.object({ value: z.number().int(), label: z.string() })),
  channels: z.array(z.string()),
  defaultReference: z.string(),
  limits: z.object({
    rules: z.number().int(),
    groupDepth: z.number().int(),
    pathLength: z.number().int(),
    priority: z.object({ min: z.number().int(), max: z.number().int() }),
  }),
}).openapi("RuleCatalogue");

/** The rule language for editors, with the programme's rounding choices. */
export const catalogueJson = () => ({
  ...ruleCatalogue(),
  roundings: ROUNDING_MODES.map((value) => ({ value, label: ROUNDING_LABELS[value] })),
});

// ---- the values of one programme, for the editor's pickers ----

export const VocabularySchema = z.object({
  categoryNames: z.array(z.string()).openapi({
    description: "Display names of customer categories 1-5 (customerCategory's index)",
  }),
  itemCategories: z.array(z.string()).openapi({
    description: "Item categories of the catalogue (line selectors), at most 500",
  }),
  categoryCodes: z.array(z.array(z.string())).openapi({
    description: "Per customer category 1-5, the codes the programme's customers hold (and, " +
      "for category 1, the settings' non-loyalty and staff codes), sorted, at most 200 each",
  }),
  stores: z.array(z.object({
    number: z.number().int(),
    name: z.string(),
    timezone: z.string(),
  })).openapi({ description: "Stores of the programme (storeNumber; the simulator's store)" }),
  unlistedStores: z.array(z.object({
    number: z.number().int(),
    name: z.string(),
    reason: z.enum(["no-merchant", "other-group", "merchant-without-group"]).openapi({
      description: "no-merchant: linked to no merchant; other-group: its merchants are in " +
        "another group; merchant-without-group: its merchant is in no group yet",
    }),
    merchants: z.array(z.string()).openapi({ description: "Names of the store's merchants" }),
  })).openapi({
    description: "The organization's registered stores that are not the programme's, and why",
  }),
  cardSeries: z.array(z.object({ prefix: z.string(), name: z.string() })).openapi({
    description: "Loyalty-card series with a prefix (cardSeries)",
  }),
  keyLineTotalReference: z.string().openapi({
    description: "The settings' key line total reference match (a rule's reference)",
  }),
}).openapi("RuleVocabulary");

export const vocabularyJson = (parts: {
  settings: LoyaltySettings;
  itemCategories: string[];
  categoryCodes: string[][];
  stores: { number: number; name: string; timezone: string }[];
  unlistedStores: {
    number: number;
    name: string;
    reason: "no-merchant" | "other-group" | "merchant-without-group";
    merchants: string[];
  }[];
  cardSeries: { prefix: string; name: string }[];
}) => ({
  categoryNames: parts.settings.categoryNames,
  itemCategories: parts.itemCategories,
  categoryCodes: parts.categoryCodes.map((codes, i) =>
    i === 0
      ? [
        ...new Set([
          ...codes,
          ...parts.settings.nonLoyaltyCategoryCodes,
          ...parts.settings.staffLoyaltyCategoryCodes,
        ]),
      ].sort()
      : codes
  ),
  stores: parts.stores.map((s) => ({ number: s.number, name: s.name, timezone: s.timezone })),
  unlistedStores: parts.unlistedStores,
  cardSeries: parts.cardSeries.filter((s) => s.prefix !== "")
    .map((s) => ({ prefix: s.prefix, name: s.name })),
  keyLineTotalReference: parts.settings.keyLineTotalReferenceMatch,
});
