import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import { benefitInput, benefitOf, CouponBenefitSchema } from "./coupons.ts";
import { type Generation, type Instrument, INSTRUMENT_STATUSES } from "./generation.ts";
import { INSTRUMENT_TYPES, type Series, type SeriesFigures } from "./series.ts";
import { MinorUnits } from "../money/minor_units.ts";

export const SeriesSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  merchantGroupId: z.string(),
  name: z.string(),
  type: z.enum(INSTRUMENT_TYPES),
  prefix: z.string(),
  currency: z.string(),
  initialValue: MinorUnits.openapi({ description: "Loaded on activation" }),
  expiryDays: z.number().int().nullable(),
  maxUses: z.number().int().nullable().openapi({
    description: "Coupons: redemptions per code (null = unlimited); null for other types",
  }),
  // A union, not .nullable(): the document then says null is a value (a $ref would drop it).
  benefit: z.union([CouponBenefitSchema, z.null()]).openapi({
    description: "Coupons: what a coupon gives; null for other types",
  }),
  startsAt: Timestamp.nullable().openapi({
    description: "Coupons: not redeemable before this time; null: no start time",
  }),
  fullReturnRestoresUses: z.boolean().openapi({
    description: "Coupons: a full return of a sale gives back the use the sale took of each " +
      "coupon of the series (unless it has expired since); never a partial return. False " +
      "for other types",
  }),
  createdAt: Timestamp,
  instrumentCount: z.number().int().openapi({ description: "Instruments in the series" }),
  outstanding: MinorUnits.openapi({
    description: "Owed to card holders: the sum of the cards' balances",
  }),
}).openapi("Series");

export const GenerationSchema = z.object({
  id: z.string(),
  seriesId: z.string(),
  count: z.number().int(),
  created: z.number().int().openapi({ description: "Instruments made so far (exact)" }),
  status: z.enum(["running", "done", "failed"]),
  error: z.string().nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
}).openapi("Generation");

export const InstrumentSchema = z.object({
  id: z.string(),
  merchantGroupId: z.string(),
  seriesId: z.string(),
  number: z.string(),
  status: z.enum(INSTRUMENT_STATUSES),
  customerId: z.string().nullable(),
  uses: z.number().int(),
  expiresAt: Timestamp.nullable(),
  generationId: z.string().nullable(),
  createdAt: Timestamp,
}).openapi("Instrument");

export const seriesJson = (s: Series, figures: SeriesFigures) => ({
  id: s.id,
  organizationId: s.org_id,
  merchantGroupId: s.group_id,
  name: s.name,
  type: s.type,
  prefix: s.prefix,
  currency: s.currency,
  initialValue: s.initial_value,
  expiryDays: s.expiry_days,
  maxUses: s.max_uses,
  benefit: s.coupon_benefit === null ? null : benefitInput(benefitOf(s.coupon_benefit)!),
  startsAt: s.starts_at && isoTime(s.starts_at),
  fullReturnRestoresUses: s.full_return_restores_uses,
  createdAt: isoTime(s.created_at),
  instrumentCount: figures.instruments,
  outstanding: figures.outstanding,
});

export const generationJson = (g: Generation) => ({
  id: g.id,
  seriesId: g.series_id,
  count: g.count,
  created: g.created,
  status: g.status,
  error: g.error,
  createdAt: isoTime(g.created_at),
  finishedAt: g.finished_at && isoTime(g.finished_at),
});

export const instrumentJson = (i: Instrument) => ({
  id: i.id,
  merchantGroupId: i.group_id,
  seriesId: i.series_id,
  number: i.number,
  status: i.status,
  customerId: i.customer_id,
  uses: i.uses,
  expiresAt: i.expires_at && isoTime(i.expires_at),
  generationId: i.generation_id,
  createdAt: isoTime(i.created_at),
});
