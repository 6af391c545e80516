import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { jsonResponse, newRouter } from "../http/openapi.ts";

const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.object({ kind: z.enum(["pglite", "postgres"]), ok: z.boolean() }),
}).openapi("Health");

export const health = newRouter().openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["Operations"],
    summary: "Liveness and database check",
    responses: {
      200: jsonResponse(HealthSchema, "The service and its database answer"),
      503: jsonResponse(HealthSchema, "The database does not answer"),
    },
  }),
  async (c) => {
    const { db, dbKind } = c.get("deps");
    const ok = await sql`select 1`.execute(db).then(() => true, () => false);
    return c.json(
      { status: ok ? "ok" as const : "degraded" as const, database: { kind: dbKind, ok } },
      ok ? 200 : 503,
    );
  },
);
