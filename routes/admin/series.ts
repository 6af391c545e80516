import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { requiredIdempotencyKey } from "../../http/idempotency_key.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import {
  INSTRUMENT_STATUSES,
  listInstruments,
  MAX_GENERATION_COUNT,
  runInBackground,
  startGeneration,
} from "../../instruments/generation.ts";
import {
  createSeries,
  INSTRUMENT_TYPES,
  listSeries,
  NewSeriesSchema,
  SeriesChangeSchema,
  seriesFigures,
  updateSeries,
} from "../../instruments/series.ts";
import { breakageBySeries } from "../../instruments/breakage.ts";
import {
  BreakageQuery,
  breakageReportJson,
  BreakageReportSchema,
} from "../../instruments/breakage_json.ts";
import {
  generationJson,
  GenerationSchema,
  instrumentJson,
  InstrumentSchema,
  seriesJson,
  SeriesSchema,
} from "../../instruments/series_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Series and instruments"];
const GenerationAnswer = z.object({ generation: GenerationSchema }).openapi("GenerationAnswer");

const SeriesQuery = PageQuery.extend({
  type: z.enum(INSTRUMENT_TYPES).optional().openapi({
    param: { name: "type", in: "query" },
    description: "only series of this instrument type",
  }),
});
const InstrumentQuery = PageQuery.extend({
  status: z.enum(INSTRUMENT_STATUSES).optional().openapi({
    param: { name: "status", in: "query" },
    description: "only instruments in this status",
  }),
});
const NewGeneration = z.object({
  count: z.int({ error: "must be a whole number" }).min(1, "must be 1 or more")
    .max(MAX_GENERATION_COUNT, `at most ${MAX_GENERATION_COUNT}`),
}).strict().openapi("NewGeneration");

/**
 * Series (bundles of instruments of one type) and their instruments. Bulk generation is
 * answered at once with 202 and runs in the background; the caller polls the generation.
 */
export const adminSeries = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchant-groups/{id}/series`,
      tags,
      summary: "Create a series: instrument type, number prefix, currency and defaults",
      description: "The prefix is digits for gift cards, store credit and loyalty cards, and " +
        "2–9 / A–Z without I, L, O for coupons; it is unique within the group (409 otherwise). " +
        "A coupon series says what a coupon gives (`benefit`, required: an amount off in minor " +
        "units of the series' currency, a percent off of the lines a selector takes, or bonus " +
        "points), how many uses each has (`maxUses`) and optionally from when (`startsAt`); " +
        "other types have none of these (422 on the field).",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewSeriesSchema.openapi("NewSeries")) },
      responses: { 201: jsonResponse(SeriesSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "series:manage");
      const series = await createSeries(db, group, c.req.valid("json"), c.get("staff")!);
      return c.json(seriesJson(series, { instruments: 0, outstanding: 0 }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/series`,
      tags,
      summary: "The group's series by name, with instrument counts and outstanding balances",
      ...adminAuth,
      request: { params: IdParam, query: SeriesQuery },
      responses: { 200: jsonResponse(pageOf(SeriesSchema), "A page of series"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { type, limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, ["text", "id"]);
      const group = await authorized(c, "merchant group", "programme:read");
      const rows = await listSeries(db, group.id, { type, after, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (s) => [s.name, s.id]);
      const figures = await seriesFigures(db, items.map((s) => s.id));
      return c.json(
        { items: items.map((s) => seriesJson(s, figures.get(s.id)!)), nextCursor },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/reports/breakage`,
      tags,
      summary: "Breakage per series: the balances of voided cards, written off",
      description: "For each gift-card and store-credit series of the group: how many cards " +
        "were voided with a balance and what was written off (minor units of the series' " +
        "currency), read from the ledger's breakage entries of the voids dated from `from` to " +
        "`to` (days in UTC, both included; either may be absent).",
      ...adminAuth,
      request: { params: IdParam, query: BreakageQuery },
      responses: { 200: jsonResponse(BreakageReportSchema, "The breakage report"), ...problems },
    }),
    async (c) => {
      const period = c.req.valid("query");
      const group = await authorized(c, "merchant group", "programme:read");
      const rows = await breakageBySeries(c.get("deps").db, group.id, period);
      return c.json(breakageReportJson(period, rows), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/series/{id}`,
      tags,
      summary: "A series, with its instrument count and outstanding balance",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(SeriesSchema, "The series"), ...problems },
    }),
    async (c) => {
      const series = await authorized(c, "series", "programme:read");
      const figures = await seriesFigures(c.get("deps").db, [series.id]);
      return c.json(seriesJson(series, figures.get(series.id)!), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/series/{id}`,
      tags,
      summary: "Change a coupon series: whether a full return gives its coupons' uses back",
      description: "`fullReturnRestoresUses`: a return that completes the full return of a " +
        "sale gives each coupon of this series that the sale used its use back, unless it has " +
        "expired since (never a partial return). Applies to returns from now on. Coupon series " +
        "only (422 on the field otherwise); audited.",
      ...adminAuth,
      request: {
        params: IdParam,
        body: jsonBody(SeriesChangeSchema.openapi("SeriesChange")),
      },
      responses: { 200: jsonResponse(SeriesSchema, "The series, changed"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const series = await authorized(c, "series", "series:manage");
      const updated = await updateSeries(db, series, c.req.valid("json"), c.get("staff")!);
      const figures = await seriesFigures(db, [series.id]);
      return c.json(seriesJson(updated, figures.get(series.id)!), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/series/{id}/instruments`,
      tags,
      summary: "Generate instruments in bulk (up to 100,000), in the background",
      description: "Answers 202 with the generation at once; poll GET /generations/{id} for " +
        "progress. Instruments are created with unguessable numbers (or coupon codes) and " +
        "the series' expiry: cards inactive, coupons active (usable at once). The same Idempotency-Key again returns the same " +
        "generation (resuming it if its process died); with another count it is a 409.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewGeneration) },
      parameters: [{
        name: "Idempotency-Key",
        in: "header",
        required: true,
        schema: { type: "string", minLength: 1, maxLength: 100 },
        description: "Identifies this batch: a retry with the same key returns the same " +
          "generation and creates nothing new",
      }],
      responses: { 202: jsonResponse(GenerationAnswer, "Accepted: generating"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      // Checked after the body (a malformed body is a 400 first); documented as a header above.
      const key = requiredIdempotencyKey(c.req.header("Idempotency-Key"), "batch");
      const series = await authorized(c, "series", "series:manage");
      const generation = await startGeneration(db, series, {
        count: c.req.valid("json").count,
        key,
        actor: c.get("staff")!,
      });
      runInBackground(db, generation);
      return c.json({ generation: generationJson(generation) }, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/generations/{id}`,
      tags,
      summary: "Progress of a bulk generation",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(GenerationAnswer, "The generation"), ...problems },
    }),
    async (c) => {
      const generation = await authorized(c, "generation", "programme:read");
      return c.json({ generation: generationJson(generation) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/series/{id}/instruments`,
      tags,
      summary: "The series' instruments, a page at a time",
      ...adminAuth,
      request: { params: IdParam, query: InstrumentQuery },
      responses: {
        200: jsonResponse(pageOf(InstrumentSchema), "A page of instruments"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { status, limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, ["id"])?.[0];
      const series = await authorized(c, "series", "programme:read");
      const rows = await listInstruments(db, series.id, { status, after, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (i) => [i.id]);
      return c.json({ items: items.map(instrumentJson), nextCursor }, 200);
    },
  );
