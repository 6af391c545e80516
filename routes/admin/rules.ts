import { createRoute } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import {
  catalogueJson,
  CatalogueSchema,
  DraftBody,
  draftJson,
  DraftSchema,
  PublishBody,
  PublishedSummarySchema,
  PublishedVersionSchema,
  RuleSetSchema,
  SimulateRequest,
  simulationJson,
  SimulationSchema,
  summaryJson,
  versionJson,
  VersionParam,
  vocabularyJson,
  VocabularySchema,
} from "../../earning/earning_json.ts";
import {
  getRuleSet,
  getVersion,
  listVersions,
  publishDraft,
  restoreVersion,
  saveDraft,
} from "../../earning/rule_sets.ts";
import { simulate } from "../../earning/simulate.ts";
import { compareSale } from "../../replay/compare.ts";
import {
  ImpactBody,
  impactJobJson,
  ImpactJobSchema,
  JobParam,
  saleComparisonJson,
  SaleComparisonSchema,
  SaleParam,
} from "../../replay/impact_json.ts";
import { cancelImpact, currentImpact, getImpactJob, startImpact } from "../../replay/jobs.ts";
import { ruleVocabulary } from "../../earning/vocabulary.ts";
import { validationError } from "../../errors/problem.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";

const V1 = "/api/admin/v1";
const RULES = `${V1}/merchant-groups/{id}/rules`;
const tags = ["Earning rules"];
const IMPACT = `${RULES}/draft/impact`;
/** How long POST …/impact waits for its replay before answering 202 with the job. */
const IMPACT_WAIT_MS = 1_500;

/** The `before` bound a versions cursor carries. */
function beforeOf(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor, ["text"]);
  if (key === undefined) return undefined;
  const n = Number(key[0]);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw validationError([{ field: "cursor", message: "not a cursor from this API" }]);
  }
  return n;
}

/** A group's earning rules: the draft, its validation and simulation, publishing, versions. */
export const adminRules = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/rules/catalogue`,
      tags,
      summary: "The rule language, for editors: facts, operators, events, roundings",
      description: "Every fact with a label, its value picker kind, the operators validation " +
        "accepts for it and JSON Schemas of its params and values; every event type with the " +
        "JSON Schema of its params. The same for every programme.",
      ...adminAuth,
      responses: { 200: jsonResponse(CatalogueSchema, "The catalogue"), ...problems },
    }),
    (c) => c.json(catalogueJson(), 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: RULES,
      tags,
      summary: "The draft rule set and the latest published version",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(RuleSetSchema, "The rule set"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { draft, published } = await getRuleSet(db, group);
      return c.json({
        draft: draftJson(draft),
        published: published && summaryJson(published),
      }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${RULES}/vocabulary`,
      tags,
      summary: "This programme's values for the rule editor's pickers",
      description: "Category names, item categories, stores, loyalty-card series prefixes and " +
        "the key line total reference: what conditions and selectors of this programme name.",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(VocabularySchema, "The values"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      return c.json(vocabularyJson(await ruleVocabulary(db, group)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: `${RULES}/draft`,
      tags,
      summary: "Save the draft rule set (validated; optimistic concurrency on `version`)",
      description: "The rules are validated whole (strict schema, then a run of the engine on " +
        "fixture baskets): 422 `validation` with `errors` naming `rules/<index>/<field>…`. A " +
        "save based on an older draft version is a 409 `stale-version` carrying the current " +
        "`version`, `rules` and `draft`. A save that changes something answers the next " +
        "version and writes one audit entry; one that changes nothing keeps the version. The " +
        "POS does not see the draft until it is published.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(DraftBody) },
      responses: { 200: jsonResponse(DraftSchema, "The saved draft"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      const draft = await saveDraft(db, group, c.req.valid("json"), c.get("staff")!);
      return c.json(draftJson(draft), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${RULES}/simulate`,
      tags,
      summary: "What a rule set does to a basket, with the engine's trace; nothing is written",
      description: "Evaluates `rules` (validated as a save validates them) or, without them, " +
        "the saved draft, against `basket` under the programme's current settings. The basket " +
        "is the POS quote's plus `storeNumber` (its time zone is the store's when it is a " +
        "store of the programme, else send `timezone`), `posNumber` and a customer: a real " +
        "one (`number` or `card`) or a made-up one (`categories`, `cardSeries`, " +
        "`visitCount`). The answer is the quote's, with `trace`: per rule whether it fired " +
        "and, per condition, the fact's value, the operator, the expected value and the result.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(SimulateRequest) },
      responses: { 200: jsonResponse(SimulationSchema, "The simulation"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      return c.json(simulationJson(await simulate(db, group, c.req.valid("json"))), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: IMPACT,
      tags,
      summary: "Replay the draft on the last `days` days of real sales, beside the published one",
      description: "Starts a replay job of the current draft version against the group's " +
        "sales of the last `days` days (default 30, at most 365), with the latest published " +
        "version replayed on the same sales; or answers the job already kept for the same " +
        "draft version, published version and days. **200** with the job when it finished " +
        "within about 1.5 s, else **202** with the job (header `Location`: its URL) to poll. " +
        "Points in the result are integer hundredths, money integer minor units. Sales " +
        "recorded before sales kept their pricing are counted as `unreplayable`. A new job " +
        "writes one audit entry.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ImpactBody) },
      responses: {
        200: jsonResponse(ImpactJobSchema, "The job, finished"),
        202: {
          ...jsonResponse(ImpactJobSchema, "The job, still queued or running"),
          headers: { Location: { description: "The job's URL", schema: { type: "string" } } },
        },
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const replays = c.get("replays");
      const group = await authorized(c, "merchant group", "rules:manage");
      const { job } = await startImpact(db, replays, group, c.req.valid("json"), c.get("staff")!);
      const finished = await replays.settled(job.id, IMPACT_WAIT_MS)
        ? await getImpactJob(db, replays, group, job.id)
        : job;
      if (finished.status !== "queued" && finished.status !== "running") {
        return c.json(impactJobJson(finished), 200);
      }
      c.header("Location", `${V1}/merchant-groups/${group.id}/rules/draft/impact/${job.id}`);
      return c.json(impactJobJson(finished), 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: IMPACT,
      tags,
      summary: "The latest replay of the current draft version",
      description: "404 `not-found` when the current draft version has none: a replay is " +
        "kept until the draft changes (a save makes a new draft version).",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(ImpactJobSchema, "The job"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      return c.json(impactJobJson(await currentImpact(db, c.get("replays"), group)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${IMPACT}/{jobId}`,
      tags,
      summary: "One replay job: status, progress and, once done, its result",
      ...adminAuth,
      request: { params: JobParam },
      responses: { 200: jsonResponse(ImpactJobSchema, "The job"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      const { jobId } = c.req.valid("param");
      return c.json(impactJobJson(await getImpactJob(db, c.get("replays"), group, jobId)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${IMPACT}/{jobId}/cancel`,
      tags,
      summary: "Cancel a queued or running replay",
      description: "Answers the job, now `cancelled`; 409 `conflict` when it had already " +
        "finished (done, failed or cancelled). One audit entry.",
      ...adminAuth,
      request: { params: JobParam },
      responses: { 200: jsonResponse(ImpactJobSchema, "The cancelled job"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      const { jobId } = c.req.valid("param");
      const job = await cancelImpact(db, c.get("replays"), group, jobId, c.get("staff")!);
      return c.json(impactJobJson(job), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${IMPACT}/{jobId}/sales/{saleId}`,
      tags,
      summary: "One sale under the replay's published version and draft, rule by rule",
      description: "The recorded basket re-priced by each side with the engine's trace (the " +
        "simulator's): per rule whether it fired, its points (integer hundredths) and, per " +
        "condition, the value the engine saw. 404 when the sale is not a sale of the group; " +
        "409 `unreplayable` for a sale recorded before sales kept their pricing.",
      ...adminAuth,
      request: { params: SaleParam },
      responses: { 200: jsonResponse(SaleComparisonSchema, "The comparison"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      const { jobId, saleId } = c.req.valid("param");
      return c.json(saleComparisonJson(await compareSale(db, group, jobId, saleId)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${RULES}/publish`,
      tags,
      summary: "Publish the draft as the next version: the POS evaluates it from its next call",
      description: "`draftVersion` must be the current draft version (409 `stale-version` " +
        "otherwise, with the current draft). Versions count 1, 2, 3…; each keeps its rules " +
        "as they were. One audit entry, its diff against the previous published version.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(PublishBody) },
      responses: { 201: jsonResponse(PublishedSummarySchema, "Published"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "rules:manage");
      const published = await publishDraft(db, group, c.req.valid("json"), c.get("staff")!);
      return c.json(summaryJson(published), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${RULES}/versions`,
      tags,
      summary: "Published versions, newest first",
      ...adminAuth,
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(PublishedSummarySchema), "A page of versions"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { limit, cursor } = c.req.valid("query");
      const rows = await listVersions(db, group, { limit: limit + 1, before: beforeOf(cursor) });
      const { items, nextCursor } = page(rows, limit, (v) => [String(v.version)]);
      return c.json({ items: items.map(summaryJson), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${RULES}/versions/{n}`,
      tags,
      summary: "One published version with its rules",
      ...adminAuth,
      request: { params: VersionParam },
      responses: { 200: jsonResponse(PublishedVersionSchema, "The version"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { n } = c.req.valid("param");
      const group = await authorized(c, "merchant group", "programme:read");
      return c.json(versionJson(await getVersion(db, group, Number(n))), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${RULES}/versions/{n}/restore`,
      tags,
      summary: "Copy a published version into the draft (publish it to make it live again)",
      description: "The draft version goes up by one; one audit entry. The POS keeps " +
        "evaluating the latest published version until the draft is published.",
      ...adminAuth,
      request: { params: VersionParam },
      responses: { 200: jsonResponse(DraftSchema, "The new draft"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { n } = c.req.valid("param");
      const group = await authorized(c, "merchant group", "rules:manage");
      return c.json(draftJson(await restoreVersion(db, group, Number(n), c.get("staff")!)), 200);
    },
  );
