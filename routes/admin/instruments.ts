import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { INSTRUMENT_MOVE_PERMISSIONS } from "../../auth/roles.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import { staffMove } from "../../instruments/activities.ts";
import {
  ActivitySchema,
  StaffLoadRequest,
  staffMovedJson,
  StaffMovedSchema,
} from "../../instruments/activities_json.ts";
import { staffLoad } from "../../instruments/staff_load.ts";
import { requiredIdempotencyKey } from "../../http/idempotency_key.ts";
import { instrumentDetail } from "../../instruments/detail.ts";
import { csvFileName, seriesCsv } from "../../instruments/export.ts";
import { INSTRUMENT_STATUSES } from "../../instruments/generation.ts";
import { historyBefore, instrumentHistory } from "../../instruments/history.ts";
import {
  historyJson,
  instrumentDetailJson,
  InstrumentDetailSchema,
  InstrumentHistorySchema,
  instrumentHitJson,
  InstrumentHitSchema,
  moveInput,
  MoveParam,
  MoveSchema,
} from "../../instruments/instrument_json.ts";
import { searchInstruments } from "../../instruments/search.ts";
import { getSeries } from "../../instruments/series.ts";

const V1 = "/api/admin/v1";
const tags = ["Series and instruments"];

const SearchQuery = PageQuery.extend({
  number: z.string().max(40, "at most 40 characters").optional().openapi({
    param: { name: "number", in: "query" },
    description: "any part of the number; spaces and dashes are ignored, letters match in " +
      "any case",
  }),
  seriesId: Uuid.optional().openapi({
    param: { name: "seriesId", in: "query" },
    description: "only instruments of this series",
  }),
  status: z.enum(INSTRUMENT_STATUSES).optional().openapi({
    param: { name: "status", in: "query" },
    description: "only instruments in this status now: expired includes those whose expiry " +
      "date (UTC) has passed, and the other statuses exclude them",
  }),
});

/**
 * The back office's instruments: search, detail, history, the staff moves, and a series'
 * export as CSV.
 */
export const adminInstruments = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/instruments`,
      tags,
      summary: "Search the group's instruments by number, series and status",
      description: "Ordered by number. Each hit has its status now and its balance.",
      ...adminAuth,
      request: { params: IdParam, query: SearchQuery },
      responses: {
        200: jsonResponse(pageOf(InstrumentHitSchema), "A page of instruments"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { number, seriesId, status, limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, ["text"])?.[0];
      const group = await authorized(c, "merchant group", "programme:read");
      const rows = await searchInstruments(db, group.id, {
        number,
        seriesId,
        status,
        after,
        limit: limit + 1,
      });
      const { items, nextCursor } = page(rows, limit, (h) => [h.number]);
      return c.json({ items: items.map(instrumentHitJson), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/instruments/{id}`,
      tags,
      summary: "An instrument: its series, status now, balance and dates",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(InstrumentDetailSchema, "The instrument"), ...problems },
    }),
    async (c) => {
      const instrument = await authorized(c, "instrument", "programme:read");
      const detail = await instrumentDetail(c.get("deps").db, instrument);
      return c.json(instrumentDetailJson(detail), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/instruments/{id}/activities`,
      tags,
      summary: "The instrument's history, newest first",
      description: "Every activity: activation, loads, redemptions, refunds, blocks, voids, " +
        "with the store, POS and receipt where it happened, the amount, the balance after it, " +
        "who made it and why.",
      ...adminAuth,
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(InstrumentHistorySchema, "A page of the history"),
        ...problems,
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const before = historyBefore(decodeCursor(cursor, ["text"]));
      const instrument = await authorized(c, "instrument", "programme:read");
      const { db } = c.get("deps");
      const [{ lines, next }, series] = await Promise.all([
        instrumentHistory(db, instrument.id, { limit, before }),
        getSeries(db, instrument.series_id),
      ]);
      return c.json(historyJson(lines, next, series!.currency), 200);
    },
  )
  // Before /instruments/{id}/{move}, which would take "loads" for a move.
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/instruments/{id}/loads`,
      tags,
      summary: "Load money onto a gift card or store credit, with a reason",
      description: "Adds `amount` (minor units of the series' currency, 1 or more) to an " +
        "active gift card or store credit: one ledger posting (the card's funds against its " +
        "series' liability), a load on its history with the reason and the staff member, one " +
        "audit entry. Needs instruments:manage. An instrument of another organization is a " +
        "404; a card not active (inactive, blocked, voided, expired) a 409 " +
        "instrument-<status>; a coupon or loyalty card a 409 wrong-instrument-type. The " +
        "Idempotency-Key is required: a retry with the same key and body answers the first " +
        "response again (header Idempotent-Replayed: true) and loads nothing; the same key " +
        "with another body is a 422 idempotency-key-reused.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(StaffLoadRequest) },
      parameters: [{
        name: "Idempotency-Key",
        in: "header",
        required: true,
        schema: { type: "string", minLength: 1, maxLength: 100 },
        description: "Identifies this load: a retry with the same key loads once",
      }],
      responses: { 201: jsonResponse(ActivitySchema, "Loaded"), ...problems },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const key = requiredIdempotencyKey(c.req.header("Idempotency-Key"));
      const instrument = await authorized(c, "instrument", "instruments:manage");
      const { db } = c.get("deps");
      const answer = await staffLoad(db, instrument, input, c.get("staff")!, key);
      if (answer.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(answer.body, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/instruments/{id}/{move}`,
      tags,
      summary: "Activate, block, unblock or void an instrument, with a reason",
      description: "An activation loads `amount` (minor units; default the series' initial " +
        "value) onto a gift card or store credit. Blocking needs instruments:block (support " +
        "may), the others instruments:manage. A move the status now does not allow is a 409 " +
        "instrument-<status>; one the type never allows (activating a coupon) a 409 " +
        "wrong-instrument-type. Each move is on the instrument's history and in the audit log. " +
        "Voiding a gift card or store credit writes off its balance (breakage, `writtenOff`): " +
        "the card is left at 0 and its series no longer owes it.",
      ...adminAuth,
      request: { params: MoveParam, body: jsonBody(MoveSchema) },
      responses: { 200: jsonResponse(StaffMovedSchema, "Moved"), ...problems },
    }),
    async (c) => {
      const { move } = c.req.valid("param");
      const input = moveInput(move, c.req.valid("json"));
      const instrument = await authorized(c, "instrument", INSTRUMENT_MOVE_PERMISSIONS[move]);
      const state = await staffMove(c.get("deps").db, instrument.id, input, c.get("staff")!);
      return c.json(staffMovedJson(state), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/series/{id}/instruments.csv`,
      tags,
      summary: "Export a series' instruments as CSV",
      description: "Streamed as it is read, a page at a time. Columns: number, status (now), " +
        "balance (a decimal of the currency, e.g. 25.00), currency, expires_at, uses, " +
        "created_at (ISO 8601, UTC). Needs series:manage: the numbers of gift cards are their " +
        "value.",
      ...adminAuth,
      request: { params: IdParam },
      responses: {
        200: {
          description: "RFC 4180 CSV with a header line",
          content: { "text/csv": { schema: z.string() } },
        },
        ...problems,
      },
    }),
    async (c) => {
      const series = await authorized(c, "series", "series:manage");
      return c.body(seriesCsv(c.get("deps").db, series), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFileName(series)}"`,
        "Cache-Control": "no-store",
      });
    },
  );
