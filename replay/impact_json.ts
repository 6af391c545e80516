/**
 * The API shapes of a draft's impact on real sales: the job, its result and one sale's
 * comparison. Points here are integer hundredths (1734 is 17.34 points) and money integer
 * minor units, as the impact contract with the rules page says.
 */
import { z } from "@hono/zod-openapi";
import { RuleTraceSchema } from "../earning/earning_json.ts";
import { IdParam, isoTime, Timestamp, Uuid } from "../http/openapi.ts";
import { MinorUnits } from "../money/minor_units.ts";
import type { SaleComparison } from "./compare.ts";
import type { ImpactJob } from "./jobs.ts";

const Hundredths = z.number().int().openapi({
  description: "Points in integer hundredths: 1734 is 17.34 points",
  example: 1734,
});

export const ImpactBody = z.object({
  days: z.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be 1 or more").max(365, "at most 365").default(30).openapi({
      description: "The window: sales of the last `days` days (1 to 365; 30 when absent)",
    }),
}).strict().openapi("ImpactRequest");

export const JobParam = IdParam.extend({
  jobId: Uuid.openapi({ param: { name: "jobId", in: "path" }, description: "The replay job" }),
});

export const SaleParam = JobParam.extend({
  saleId: Uuid.openapi({ param: { name: "saleId", in: "path" }, description: "A sale" }),
});

const BySide = { published: Hundredths, draft: Hundredths };

const Figures = z.object({
  points: Hundredths,
  value: MinorUnits.openapi({ description: "The points' money value: points × pointValue" }),
});

export const ImpactResultSchema = z.object({
  currency: z.string().openapi({ description: "ISO 4217 code of the sales (and of `value`)" }),
  pointValue: MinorUnits.openapi({
    description: "Minor units one point is worth (the setting pointValue)",
  }),
  sales: z.number().int().openapi({ description: "Sales replayed" }),
  unreplayable: z.number().int().openapi({
    description: "Sales of the window recorded before sales kept their pricing (migration " +
      "0011): not replayed, in no figure",
  }),
  salesChanged: z.number().int().openapi({ description: "Sales whose points differ" }),
  membersAffected: z.number().int().openapi({
    description: "Customers with at least one sale whose points differ",
  }),
  published: Figures.openapi({ description: "The published version replayed" }),
  draft: Figures.openapi({ description: "The draft replayed" }),
  byRule: z.array(z.object({ ruleId: z.string(), name: z.string(), ...BySide })).openapi({
    description: "Every rule of either version, draft order first",
  }),
  byCategory: z.array(z.object({
    category: z.number().int().openapi({ description: "Customer category 1-5" }),
    code: z.string().openapi({ description: "The code the customers had in it at the sale" }),
    name: z.string().openapi({ description: "The category's name (setting categoryNames)" }),
    ...BySide,
  })).openapi({ description: "Points of the sales of customers with each category code" }),
  byStore: z.array(z.object({
    storeId: z.string(),
    storeNumber: z.number().int(),
    storeName: z.string(),
    ...BySide,
  })),
  topChanges: z.array(z.object({
    saleId: z.string(),
    receiptNumber: z.string(),
    storeName: z.string(),
    at: Timestamp,
    customerNumber: z.string().nullable(),
    ...BySide,
    delta: Hundredths.openapi({ description: "draft − published" }),
  })).openapi({ description: "The 20 sales whose points change most (|delta|), largest first" }),
  evaluations: z.object({
    recorded: z.number().int().openapi({
      description: "Rule decisions taken as recorded (rule unchanged since the sale)",
    }),
    remembered: z.number().int().openapi({
      description: "Rule decisions taken from the engine's answer on the same fact values",
    }),
    engine: z.number().int().openapi({ description: "Runs of the rules engine" }),
  }).openapi({ description: "What the replay did not have to evaluate, and what it did" }),
}).openapi("ImpactResult");

export const ImpactJobSchema = z.object({
  id: z.string(),
  status: z.enum(["queued", "running", "done", "cancelled", "failed"]),
  draftVersion: z.number().int(),
  publishedVersion: z.number().int().nullable().openapi({
    description: "The published version replayed beside it; null: none published",
  }),
  days: z.number().int(),
  from: Timestamp.openapi({ description: "Start of the window (included)" }),
  to: Timestamp.openapi({ description: "End of the window (excluded): when it was asked" }),
  progress: z.object({
    done: z.number().int().openapi({ description: "Sales replayed" }),
    total: z.number().int().openapi({ description: "Sales to replay" }),
  }),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  error: z.string().nullable(),
  result: ImpactResultSchema.nullable().openapi({ description: "Set when status is done" }),
}).openapi("ImpactJob");

export const impactJobJson = (j: ImpactJob) => ({
  id: j.id,
  status: j.status,
  draftVersion: j.draftVersion,
  publishedVersion: j.publishedVersion,
  days: j.days,
  from: isoTime(j.from),
  to: isoTime(j.to),
  progress: j.progress,
  startedAt: isoTime(j.startedAt),
  finishedAt: j.finishedAt && isoTime(j.finishedAt),
  error: j.error,
  result: j.result,
});

const RuleOutcome = z.object({
  ruleId: z.string(),
  name: z.string(),
  fired: z.boolean(),
  points: Hundredths,
  trace: RuleTraceSchema,
}).openapi("RuleOutcome");

export const SaleComparisonSchema = z.object({
  sale: z.object({
    id: z.string(),
    receiptNumber: z.string(),
    at: Timestamp,
    storeName: z.string(),
    timeZone: z.string().openapi({ description: "The store's IANA time zone at the sale" }),
    customerNumber: z.string().nullable(),
    currency: z.string(),
    total: MinorUnits,
    lines: z.array(z.object({
      sku: z.string(),
      quantity: z.number().int(),
      unitPrice: MinorUnits,
      net: MinorUnits,
    })),
  }),
  published: z.object({
    version: z.number().int().nullable(),
    points: Hundredths,
    rules: z.array(RuleOutcome),
  }),
  draft: z.object({
    version: z.number().int(),
    points: Hundredths,
    rules: z.array(RuleOutcome),
  }),
}).openapi("SaleComparison");

export const saleComparisonJson = (c: SaleComparison) => ({
  ...c,
  sale: { ...c.sale, at: isoTime(c.sale.at) },
});
