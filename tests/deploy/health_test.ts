/**
 * /healthz (liveness: the app's and the schema's versions, the database round trip) and
 * /readyz (readiness: 503 while migrations are pending or the database is down), in process on
 * PGlite or Postgres (TEST_DATABASE_URL).
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import denoJson from "../../deno.json" with { type: "json" };
import { latestKnownMigration, migrateToLatest } from "../../db/migrate.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, testBackend } from "../helpers/db.ts";

const current = { applied: latestKnownMigration, latest: latestKnownMigration, state: "current" };

async function get(t: TestApp, path: string) {
  const res = await t.request(path);
  return { status: res.status, json: await res.json() };
}

Deno.test(`healthz answers the versions and the round trip; readyz 200 (${testBackend})`, async () => {
  const t = await createTestApp();
  try {
    const health = await get(t, "/healthz");
    assert.equal(health.status, 200);
    assert.equal(health.json.version, denoJson.version);
    assert.match(health.json.version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(health.json.schema, current);
    assert.equal(typeof health.json.database.roundTripMs, "number");
    assert.ok(health.json.database.roundTripMs >= 0);
    assert.deepEqual(await get(t, "/readyz"), {
      status: 200,
      json: { status: "ready", reason: null, schema: current },
    });
  } finally {
    await t.close();
  }
});

Deno.test(`readyz is 503 while migrations are pending, 200 once applied (${testBackend})`, async () => {
  const database = await createTestDatabase({ migrated: false });
  const t = await createTestApp({}, { database });
  try {
    const pending = { applied: null, latest: latestKnownMigration, state: "pending" };
    assert.deepEqual(await get(t, "/readyz"), {
      status: 503,
      json: { status: "not-ready", reason: "migrations-pending", schema: pending },
    });
    const health = await get(t, "/healthz");
    assert.equal(health.status, 200, "alive: the database answers");
    assert.deepEqual(health.json.schema, pending);

    await migrateToLatest(database.db);
    assert.deepEqual((await get(t, "/readyz")).status, 200);
    assert.deepEqual((await get(t, "/healthz")).json.schema, current);
  } finally {
    await database.close();
  }
});

Deno.test(`a database migrated by a newer version is ready, state ahead (${testBackend})`, async () => {
  const t = await createTestApp();
  try {
    await sql`insert into kysely_migration (name, timestamp)
      values ('9999_from_a_newer_version', ${new Date().toISOString()})`.execute(t.db);
    const ahead = { applied: "9999_from_a_newer_version", latest: latestKnownMigration };
    assert.deepEqual(await get(t, "/readyz"), {
      status: 200,
      json: { status: "ready", reason: null, schema: { ...ahead, state: "ahead" } },
    });
    assert.deepEqual((await get(t, "/healthz")).json.schema, { ...ahead, state: "ahead" });
  } finally {
    await t.close();
  }
});

Deno.test(`healthz and readyz are 503 when the database does not answer (${testBackend})`, async () => {
  const t = await createTestApp();
  await t.database.close();
  const unknown = { applied: null, latest: latestKnownMigration, state: "unknown" };
  const health = await get(t, "/healthz");
  assert.deepEqual(health, {
    status: 503,
    json: {
      status: "degraded",
      version: denoJson.version,
      database: { kind: t.database.kind, ok: false, roundTripMs: null },
      schema: unknown,
    },
  });
  assert.deepEqual(await get(t, "/readyz"), {
    status: 503,
    json: { status: "not-ready", reason: "database-down", schema: unknown },
  });
});

Deno.test("the OpenAPI document describes /healthz and /readyz with their answers", async () => {
  const t = await createTestApp();
  try {
    const doc = (await get(t, "/openapi.json")).json;
    for (const [path, schema] of [["/healthz", "Health"], ["/readyz", "Readiness"]]) {
      const op = doc.paths[path].get;
      for (const status of ["200", "503"]) {
        assert.equal(
          op.responses[status].content["application/json"].schema.$ref,
          `#/components/schemas/${schema}`,
          `${path} ${status}`,
        );
      }
    }
    const health = doc.components.schemas.Health.properties;
    assert.ok(health.version && health.schema && health.database.properties.roundTripMs);
    assert.ok(doc.components.schemas.SchemaVersion.properties.latest);
  } finally {
    await t.close();
  }
});
