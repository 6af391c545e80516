// zod as extended by @hono/zod-openapi: zod 4 gives each schema its methods when it is built,
// so a schema built before that extension loads could not be named in the OpenAPI document.
import { z } from "@hono/zod-openapi";
import type { Selectable } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation, isUuid } from "../db/errors.ts";
import { afterNameAndId } from "../db/keyset.ts";
import type { InstrumentType, SeriesTable } from "../db/schema.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import { CurrencySchema } from "../money/currency.ts";
import type { StaffUser } from "../staff/users.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { CouponBenefitSchema, storedBenefit } from "./coupons.ts";
import { prefixRule } from "./numbers.ts";
import { inTransaction } from "../db/transaction.ts";
import { seriesLiabilities } from "./accounts.ts";
import { money } from "../money/minor_units.ts";

export type Series = Selectable<SeriesTable>;

export const INSTRUMENT_TYPES = ["gift-card", "loyalty-card", "store-credit", "coupon"] as const;

const wholeNumber = { error: "must be a whole number" };

/**
 * A new series. The prefix alphabet depends on the type (digits for value-carrying cards,
 * the coupon alphabet for coupons), and only coupons have a maximum number of uses (absent
 * means single use, null unlimited), a benefit (required) and a start.
 */
export const NewSeriesSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters"),
  type: z.enum(INSTRUMENT_TYPES, { error: `one of ${INSTRUMENT_TYPES.join(", ")}` }),
  prefix: z.string({ error: "must be a string" }),
  currency: CurrencySchema,
  initialValue: money(
    z.int(wholeNumber).min(0, "must be 0 or more").max(1_000_000_000, "at most 1000000000"),
    "Loaded when an instrument is activated, in the series' currency",
  ).default(0),
  expiryDays: z.int(wholeNumber).min(1, "must be 1 or more").max(3650, "at most 3650")
    .nullable().default(null).describe("Days from creation until an instrument expires"),
  maxUses: z.int(wholeNumber).min(1, "must be 1 or more").max(1_000_000, "at most 1000000")
    .nullable().optional()
    .describe("Coupons only: redemptions per code; absent = 1, null = unlimited"),
  benefit: CouponBenefitSchema.optional()
    .describe("Coupons only, and required for them: what a coupon gives"),
  startsAt: z.iso.datetime({ offset: true, error: "an ISO 8601 time with its offset" })
    .nullable().optional()
    .describe("Coupons only: not redeemable before this time; absent or null: at once"),
  fullReturnRestoresUses: z.boolean({ error: "true or false" }).optional()
    .describe(
      "Coupons only: a return that completes the full return of a sale gives each coupon of " +
        "the series that the sale used its use back (unless it has expired since); never a " +
        "partial return. Default false",
    ),
}).strict().superRefine((v, ctx) => {
  if (!INSTRUMENT_TYPES.includes(v.type)) return;
  const rule = prefixRule(v.type);
  if (typeof v.prefix === "string" && !rule.pattern.test(v.prefix)) {
    ctx.addIssue({
      code: "custom",
      path: ["prefix"],
      message: `a ${v.type} prefix is ${rule.message}`,
    });
  }
  if (v.type !== "coupon" && v.maxUses !== undefined && v.maxUses !== null) {
    ctx.addIssue({
      code: "custom",
      path: ["maxUses"],
      message: "only coupons have a maximum number of uses",
    });
  }
  if (v.type === "coupon" && v.benefit === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["benefit"],
      message: "a coupon series says what its coupons give: amountOff, percentOff or bonusPoints",
    });
  }
  const onlyCoupons = (field: "benefit" | "startsAt", what: string) => {
    if (v.type !== "coupon" && v[field] !== undefined && v[field] !== null) {
      ctx.addIssue({ code: "custom", path: [field], message: `only coupons have ${what}` });
    }
  };
  onlyCoupons("benefit", "a benefit");
  onlyCoupons("startsAt", "a start time");
  if (v.type !== "coupon" && v.fullReturnRestoresUses) {
    ctx.addIssue({
      code: "custom",
      path: ["fullReturnRestoresUses"],
      message: "only coupons have uses to give back",
    });
  }
});

export type NewSeries = z.output<typeof NewSeriesSchema>;

export async function getSeries(db: Db, id: string): Promise<Series | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("series").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function createSeries(
  db: Db,
  group: MerchantGroup,
  input: NewSeries,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<Series> {
  const coupon = input.type === "coupon";
  try {
    return await inTransaction(db, async (tx) => {
      const series = await tx.insertInto("series").values({
        org_id: group.org_id,
        group_id: group.id,
        name: input.name,
        type: input.type,
        prefix: input.prefix,
        currency: input.currency,
        initial_value: input.initialValue,
        expiry_days: input.expiryDays,
        max_uses: coupon ? (input.maxUses === undefined ? 1 : input.maxUses) : null,
        coupon_benefit: coupon ? JSON.stringify(storedBenefit(input.benefit!)) : null,
        starts_at: coupon ? input.startsAt ?? null : null,
        full_return_restores_uses: coupon && (input.fullReturnRestoresUses ?? false),
      }).returningAll().executeTakeFirstOrThrow();
      await recordAudit(tx, {
        orgId: group.org_id,
        entity: "series",
        entityId: series.id,
        label: series.name,
        action: "create",
        actor,
        before: null,
        after: {
          groupId: group.id,
          name: series.name,
          type: series.type,
          prefix: series.prefix,
          currency: series.currency,
          initialValue: series.initial_value,
          expiryDays: series.expiry_days,
          maxUses: series.max_uses,
          ...(coupon
            ? {
              benefit: input.benefit!,
              startsAt: series.starts_at?.toISOString() ?? null,
              fullReturnRestoresUses: series.full_return_restores_uses,
            }
            : {}),
        },
      });
      return series;
    });
  } catch (err) {
    if (!isUniqueViolation(err, "series_group_prefix")) throw err;
    throw new ProblemError(409, "prefix-taken", "Another series of this group has that prefix", {
      errors: [{ field: "prefix", message: `${input.prefix} is already the prefix of a series` }],
    });
  }
}

/** What may change on a series once it exists: a coupon series' full-return option. */
export const SeriesChangeSchema = z.object({
  fullReturnRestoresUses: z.boolean({ error: "true or false" }).describe(
    "Coupons only: whether a full return of a sale gives back the use the sale took",
  ),
}).strict();
export type SeriesChange = z.output<typeof SeriesChangeSchema>;

/** Changes a series (audited); only a coupon series has uses to give back (422 otherwise). */
export async function updateSeries(
  db: Db,
  series: Series,
  change: SeriesChange,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<Series> {
  if (series.type !== "coupon") {
    throw validationError([{
      field: "fullReturnRestoresUses",
      message: "only coupons have uses to give back",
    }]);
  }
  return await inTransaction(db, async (tx) => {
    const before = await tx.selectFrom("series").select("full_return_restores_uses")
      .where("id", "=", series.id).forUpdate().executeTakeFirstOrThrow();
    const updated = await tx.updateTable("series")
      .set({ full_return_restores_uses: change.fullReturnRestoresUses })
      .where("id", "=", series.id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: series.org_id,
      entity: "series",
      entityId: series.id,
      label: series.name,
      action: "update",
      actor,
      before: { fullReturnRestoresUses: before.full_return_restores_uses },
      after: { fullReturnRestoresUses: updated.full_return_restores_uses },
    });
    return updated;
  });
}

/** A page of a group's series by name, optionally of one type. */
export async function listSeries(
  db: Db,
  groupId: string,
  q: { type?: InstrumentType; limit: number; after?: string[] },
): Promise<Series[]> {
  let query = db.selectFrom("series").selectAll().where("group_id", "=", groupId)
    .orderBy("name").orderBy("id").limit(q.limit);
  if (q.type) query = query.where("type", "=", q.type);
  if (q.after) query = query.where(afterNameAndId(q.after));
  return await query.execute();
}

/** How many instruments each series holds. */
async function instrumentCounts(db: Db, seriesIds: string[]): Promise<Map<string, number>> {
  if (!seriesIds.length) return new Map();
  const rows = await db.selectFrom("instruments").select("series_id")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("series_id", "in", seriesIds).groupBy("series_id").execute();
  return new Map(rows.map((r) => [r.series_id, Number(r.n)]));
}

/** What the series shows beside its own columns. */
export interface SeriesFigures {
  /** How many instruments it holds. */
  instruments: number;
  /** The sum of its cards' balances (minor units): what the programme owes their holders. */
  outstanding: number;
}

/** The figures of each series: three statements whatever the number of series. */
export async function seriesFigures(
  db: Db,
  seriesIds: string[],
): Promise<Map<string, SeriesFigures>> {
  const [counts, liabilities] = await Promise.all([
    instrumentCounts(db, seriesIds),
    seriesLiabilities(db, seriesIds),
  ]);
  return new Map(seriesIds.map((id) => [id, {
    instruments: counts.get(id) ?? 0,
    outstanding: liabilities.get(id)!.outstanding,
  }]));
}
