/**
 * One sale under both sides of a replay, rule by rule: the engine's full evaluation with its
 * why-not trace (the simulator's, rules/trace.ts) of the recorded basket under the recorded
 * settings, for the job's draft and for its published version.
 */
import type { Db } from "../db/connection.ts";
import { getVersion } from "../earning/rule_sets.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { evaluate } from "../rules/evaluate.ts";
import type { Rule } from "../rules/schema.ts";
import type { RuleTrace } from "../rules/trace.ts";
import type { RecordedPricing } from "../sales/recorded_pricing.ts";
import { parsedRules } from "./impact.ts";

type Group = Pick<MerchantGroup, "id" | "org_id" | "created_at">;

export interface RuleOutcome {
  ruleId: string;
  name: string;
  fired: boolean;
  /** Integer hundredths. */
  points: number;
  trace: RuleTrace;
}

export interface SideOutcome {
  version: number | null;
  points: number;
  rules: RuleOutcome[];
}

export interface SaleComparison {
  sale: {
    id: string;
    receiptNumber: string;
    at: Date;
    storeName: string;
    timeZone: string;
    customerNumber: string | null;
    currency: string;
    total: number;
    lines: { sku: string; quantity: number; unitPrice: number; net: number }[];
  };
  published: SideOutcome;
  draft: SideOutcome & { version: number };
}

const unreplayable = () =>
  new ProblemError(409, "unreplayable", "This sale cannot be replayed", {
    detail: "it was recorded before sales kept what their pricing read (the basket, the " +
      "customer's categories, the settings): a replay leaves it out",
  });

async function outcome(
  rules: readonly Rule[],
  pricing: RecordedPricing,
): Promise<{ points: number; rules: RuleOutcome[] }> {
  const e = await evaluate(rules, pricing.basket, pricing.settings, { trace: true });
  const points = new Map<string, number>();
  for (const a of e.awards) points.set(a.ruleId, (points.get(a.ruleId) ?? 0) + a.points);
  return {
    points: e.points,
    rules: e.trace.map((trace) => ({
      ruleId: trace.ruleId,
      name: trace.name,
      fired: trace.status === "fired",
      points: points.get(trace.ruleId) ?? 0,
      trace,
    })),
  };
}

/** Sale `saleId` of the group under job `jobId`'s two sides; 404 for a sale of no such group. */
export async function compareSale(
  db: Db,
  group: Group,
  jobId: string,
  saleId: string,
): Promise<SaleComparison> {
  const [job, sale] = await Promise.all([
    db.selectFrom("replay_jobs").select(["draft_version", "draft_rules", "published_version"])
      .where("id", "=", jobId).where("group_id", "=", group.id)
      .where("org_id", "=", group.org_id).executeTakeFirst(),
    db.selectFrom("sales")
      .innerJoin("stores", "stores.id", "sales.store_id")
      .leftJoin("customers", "customers.id", "sales.customer_id")
      .select([
        "sales.id",
        "sales.receipt_number",
        "sales.at",
        "sales.currency",
        "sales.total",
        "sales.pricing",
        "stores.name as store_name",
        "stores.timezone",
        "customers.number as customer_number",
      ])
      .where("sales.id", "=", saleId).where("sales.group_id", "=", group.id)
      .where("sales.org_id", "=", group.org_id).where("sales.kind", "=", "sale")
      .executeTakeFirst(),
  ]);
  if (!job) throw notFound("replay");
  if (!sale) throw notFound("sale");
  if (!sale.pricing) throw unreplayable();
  // Written only by sales/sale.ts, from a validated basket.
  const pricing = sale.pricing as unknown as RecordedPricing;
  const [lines, published] = await Promise.all([
    db.selectFrom("sale_lines").select(["sku", "quantity", "unit_price", "net"])
      .where("sale_id", "=", sale.id).orderBy("index").execute(),
    job.published_version === null ? null : getVersion(db, group, job.published_version),
  ]);
  const draftRules = parsedRules(`draft ${job.draft_version}`, job.draft_rules);
  const publishedRules = published
    ? parsedRules(`published rule set ${published.version}`, published.rules)
    : [];
  const [p, d] = await Promise.all([
    outcome(publishedRules, pricing),
    outcome(draftRules, pricing),
  ]);
  return {
    sale: {
      id: sale.id,
      receiptNumber: sale.receipt_number,
      at: sale.at,
      storeName: sale.store_name,
      timeZone: pricing.basket.timezone,
      customerNumber: sale.customer_number,
      currency: sale.currency,
      total: sale.total,
      lines: lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: l.unit_price,
        net: l.net,
      })),
    },
    published: { version: job.published_version, ...p },
    draft: { version: job.draft_version, ...d },
  };
}
