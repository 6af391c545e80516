/**
 * The Postgres plans of the POS hot path: runs the statements a warm lookup and create send
 * (captured from the services themselves) under EXPLAIN (ANALYZE), and prints planning time
 * against execution time for each, on a throwaway database with the demo programme.
 *
 *   LOAD_PG_URL=postgres://postgres@127.0.0.1:5432/postgres deno task plans
 */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { connect } from "../db/connection.ts";
import type { Database } from "../db/schema.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { idempotent } from "../db/idempotency.ts";
import { loadDemo } from "../demo/load.ts";
import { createCustomer, lookupCustomersWithFigures } from "../members/customers.ts";
import { programmeOf } from "../programme/device_programme.ts";

const base = Deno.env.get("LOAD_PG_URL") ?? Deno.env.get("DATABASE_URL");
if (!base?.startsWith("postgres")) throw new Error("set LOAD_PG_URL to a Postgres server");
const name = `le_plans_${crypto.randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;

const RUNS = 20;
class RolledBack extends Error {}

function literal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `array[${v.map(literal).join(", ")}]::text[]`;
  if (v instanceof Date) return literal(v.toISOString());
  return `'${String(v).replaceAll("'", "''")}'`;
}
try {
  const conn = await connect(url.toString());
  await migrateToLatest(conn.db);
  await loadDemo(conn.db, {
    customers: 10_000,
    items: 50,
    giftCards: 0,
    coupons: 0,
    sales: 0,
    force: false,
    issuer: "http://localhost",
  });
  await conn.db.executeQuery({
    sql: "analyze",
    parameters: [],
    query: {} as never,
    queryId: {} as never,
  });
  const place = await conn.db.selectFrom("merchant_stores").select(["org_id", "store_id"])
    .executeTakeFirstOrThrow();
  const card = await conn.db.selectFrom("instruments").select("number")
    .where("customer_id", "is not", null).executeTakeFirstOrThrow();

  // The same services, on a Kysely that records each statement with its parameters.
  const captured: { label: string; sql: string; parameters: readonly unknown[] }[] = [];
  let label = "";
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  const recording = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (e) => {
      if (e.level === "query" && !/^(begin|commit|rollback)/i.test(e.query.sql)) {
        captured.push({ label, sql: e.query.sql, parameters: e.query.parameters });
      }
    },
  });
  label = "programme of a store (cold cache only)";
  const programme = (await programmeOf(recording, { org: place.org_id, store: place.store_id }))!;
  label = "lookup by card";
  await lookupCustomersWithFigures(recording, programme.group!, { card: card.number }, null);
  label = "create";
  // Rolled back, so that the statements can be run again below with the same number.
  await recording.transaction().execute(async (tx) => {
    await idempotent(tx, {
      orgId: place.org_id,
      scope: "plans",
      key: crypto.randomUUID(),
      fingerprint: {},
    }, async (tx2) => {
      await createCustomer(tx2, programme.group!, {
        name: "Plan Person",
        categories: ["GOLD"],
      }, programme.settings!.settings);
      return { status: 201, body: {} };
    });
    throw new RolledBack();
  }).catch((err) => {
    if (!(err instanceof RolledBack)) throw err;
  });
  await recording.destroy();

  // Each statement RUNS times inside a rolled-back transaction, as sent (unnamed: planned on
  // every run) and as a prepared statement (as the app's pool sends it: planned once).
  const client = new pg.Client({ connectionString: url.toString() });
  client.on("error", () => {/* the database is dropped at the end */});
  await client.connect();
  const explain = async (text: string, parameters: unknown[]) => {
    await client.query("begin");
    const { rows } = await client.query(
      `explain (analyze, summary, format json) ${text}`,
      parameters,
    );
    await client.query("rollback");
    const plan = rows[0]["QUERY PLAN"][0];
    return {
      planning: plan["Planning Time"] as number,
      execution: plan["Execution Time"] as number,
    };
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (x: number) => x.toFixed(3).padStart(10);
  console.log(
    `median of ${RUNS} runs, ms                         unnamed: plan       run` +
      `  prepared: plan       run`,
  );
  for (const [i, q] of captured.entries()) {
    const params = q.parameters as unknown[];
    const unnamed = [];
    for (let r = 0; r < RUNS; r++) unnamed.push(await explain(q.sql, params));
    await client.query(`prepare p${i} as ${q.sql}`);
    // EXPLAIN EXECUTE takes its arguments as literals, not as bound parameters.
    const args = params.length ? `(${params.map(literal).join(", ")})` : "";
    const prepared = [];
    for (let r = 0; r < RUNS; r++) prepared.push(await explain(`execute p${i}${args}`, []));
    const what = `${q.label}: ${q.sql.split(/\s+/).slice(0, 3).join(" ")}`.slice(0, 48);
    console.log(
      what.padEnd(48) + ms(median(unnamed.map((x) => x.planning))) +
        ms(median(unnamed.map((x) => x.execution))) + "      " +
        ms(median(prepared.map((x) => x.planning))) +
        ms(median(prepared.map((x) => x.execution))),
    );
  }
  await client.end();
  await conn.close();
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
