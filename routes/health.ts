import { createRoute, z } from "@hono/zod-openapi";
import { APP_VERSION } from "../config.ts";
import type { Db } from "../db/connection.ts";
import { latestAppliedMigration, latestKnownMigration, schemaState } from "../db/migrate.ts";
import { jsonResponse, newRouter } from "../http/openapi.ts";

const SchemaVersionSchema = z.object({
  applied: z.string().nullable().openapi({
    description: "The latest migration recorded in the database; null when none ran yet or " +
      "the database does not answer",
    example: "0009_instrument_value",
  }),
  latest: z.string().openapi({
    description: "The latest migration this version of the code knows",
    example: "0009_instrument_value",
  }),
  state: z.enum(["current", "pending", "ahead", "unknown"]).openapi({
    description: "`pending`: the database is older than the code (run `deno task db:migrate`); " +
      "`ahead`: migrated by a newer version; `unknown`: the database does not answer",
  }),
}).openapi("SchemaVersion");

const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string().openapi({ description: "The app's version", example: "0.17.0" }),
  database: z.object({
    kind: z.enum(["pglite", "postgres"]),
    ok: z.boolean(),
    roundTripMs: z.number().nullable().openapi({
      description: "Milliseconds of the check's one statement; null when it failed",
    }),
  }),
  schema: SchemaVersionSchema,
}).openapi("Health");

const ReadinessSchema = z.object({
  status: z.enum(["ready", "not-ready"]),
  reason: z.enum(["database-down", "migrations-pending"]).nullable(),
  schema: SchemaVersionSchema,
}).openapi("Readiness");

/** One statement: the database answers, how fast, and which migration it is at. */
async function probe(db: Db) {
  const started = performance.now();
  try {
    const applied = await latestAppliedMigration(db);
    const roundTripMs = Math.round((performance.now() - started) * 100) / 100;
    return { ok: true, roundTripMs, schema: version(applied, schemaState(applied)) };
  } catch {
    return { ok: false, roundTripMs: null, schema: version(null, "unknown" as const) };
  }
}

const version = <S extends string>(applied: string | null, state: S) => ({
  applied,
  latest: latestKnownMigration,
  state,
});

export const health = newRouter().openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["Operations"],
    summary: "Liveness: versions and a database round trip",
    responses: {
      200: jsonResponse(HealthSchema, "The service and its database answer"),
      503: jsonResponse(HealthSchema, "The database does not answer"),
    },
  }),
  async (c) => {
    const { db, dbKind } = c.get("deps");
    const { ok, roundTripMs, schema } = await probe(db);
    return c.json({
      status: ok ? "ok" as const : "degraded" as const,
      version: APP_VERSION,
      database: { kind: dbKind, ok, roundTripMs },
      schema,
    }, ok ? 200 : 503);
  },
).openapi(
  createRoute({
    method: "get",
    path: "/readyz",
    tags: ["Operations"],
    summary: "Readiness: the database answers and its schema is not behind the code",
    description: "A load balancer sends traffic only while this answers 200. A database " +
      "migrated by a newer version (`ahead`) is ready: during a rolling deploy the old " +
      "instances keep serving.",
    responses: {
      200: jsonResponse(ReadinessSchema, "Ready to serve"),
      503: jsonResponse(ReadinessSchema, "The database does not answer or migrations are pending"),
    },
  }),
  async (c) => {
    const { ok, schema } = await probe(c.get("deps").db);
    const reason = !ok
      ? "database-down" as const
      : schema.state === "pending"
      ? "migrations-pending" as const
      : null;
    return c.json({
      status: reason ? "not-ready" as const : "ready" as const,
      reason,
      schema,
    }, reason ? 503 : 200);
  },
);
