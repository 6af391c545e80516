/**
 * Customer search latency on a large programme: inserts CUSTOMERS (default 1,000,000)
 * customers with their automatic loyalty cards into one merchant group (in SQL, with
 * generate_series), then times the admin search (`q` = number, card, email, phone, name
 * prefix, and the unfiltered first page) and the POS lookups, through the same service calls
 * the routes make. Before timing, each query's plan is printed with EXPLAIN ANALYZE and the
 * run fails if any of them scans a whole table.
 *
 *   deno task bench:customers                                   # in-memory PGlite
 *   TEST_DATABASE_URL=postgres://… deno task bench:customers    # a fresh database there
 *
 * A script, not Deno.bench: one expensive setup, then percentiles per query. `deno bench`
 * imports it without running it, so the normal benchmark run stays quick.
 */
import { CompiledQuery, Kysely, type LogEvent, PostgresDialect, sql } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Db } from "../../db/connection.ts";
import type { Database } from "../../db/schema.ts";
import {
  createCustomer,
  type CustomerKey,
  lookupCustomersWithFigures,
  searchCustomers,
} from "../../members/customers.ts";
import { createGroup, type MerchantGroup } from "../../programme/groups.ts";
import { DEFAULT_SETTINGS } from "../../programme/settings_schema.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createOwner } from "../../staff/users.ts";
import { createTestDatabase, testBackend } from "../helpers/db.ts";

const TOTAL = Number(Deno.env.get("CUSTOMERS") ?? 1_000_000);
const CHUNK = 100_000;
const SAMPLES = 200;

const FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas"];
const LAST = ["Bernard", "Dubois", "Garcia", "Martin", "Müller", "Nowak", "Rossi", "Smith"];

/** Customer g (1-based) of the generated programme; the SQL below builds the same values. */
const customer = (g: number) => ({
  number: String(4_000_000_000_000_000 + g),
  name: `${FIRST[g % FIRST.length]} ${LAST[Math.floor(g / FIRST.length) % LAST.length]} ${g}`,
  email: `customer${g}@example.com`,
  phone: `+336${String(g).padStart(8, "0")}`,
});

const sqlArray = (values: string[]) => sql.raw(`array[${values.map((v) => `'${v}'`).join(",")}]`);

async function populate(db: Db, group: MerchantGroup) {
  const series = await db.insertInto("series").values({
    org_id: group.org_id,
    group_id: group.id,
    name: "Customer cards",
    type: "loyalty-card",
    prefix: "",
    currency: "EUR",
  }).returning("id").executeTakeFirstOrThrow();
  for (let from = 1; from <= TOTAL; from += CHUNK) {
    const to = Math.min(TOTAL, from + CHUNK - 1);
    await sql`
      insert into customers (org_id, group_id, number, name, email, phone, categories)
      select ${group.org_id}, ${group.id}, (4000000000000000 + g)::text,
        (${sqlArray(FIRST)})[1 + g % ${FIRST.length}] || ' ' ||
          (${sqlArray(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] || ' ' || g,
        'customer' || g || '@example.com', '+336' || lpad(g::text, 8, '0'),
        array[case when g % 50 = 0 then 'CASH' else 'MEMBER' end]
      from generate_series(${from}::int, ${to}::int) g`.execute(db);
    await sql`
      insert into instruments (org_id, group_id, series_id, number, status, customer_id)
      select org_id, group_id, ${series.id}, number, 'active', id from customers
      where group_id = ${group.id}
        and number between ${customer(from).number} and ${customer(to).number}`.execute(db);
    await Deno.stdout.write(new TextEncoder().encode(`\r  inserted ${to} customers`));
  }
  console.log();
  await sql`analyze customers`.execute(db);
  await sql`analyze instruments`.execute(db);
}

/** The same database through a Kysely that remembers the SQL it ran, for EXPLAIN. */
function recordingDb(database: Awaited<ReturnType<typeof createTestDatabase>>) {
  const seen: CompiledQuery[] = [];
  const log = (e: LogEvent) => {
    if (e.level === "query") seen.push(e.query);
  };
  const dialect = database.pglite
    ? new PGliteDialect(database.pglite)
    : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) });
  return { db: new Kysely<Database>({ dialect, log }), seen };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  console.log(`customer search on ${TOTAL.toLocaleString("en")} customers, ${testBackend}`);
  const database = await createTestDatabase();
  const { db } = database;
  const recorder = recordingDb(database);
  try {
    const owner = (await createOwner(db, {
      email: "bench@example.com",
      name: "Bench",
      password: "bench password 1",
    }))!;
    const org = await createOrganization(db, "Bench", owner);
    const group = await createGroup(db, { orgId: org.id, name: "Big programme", actor: owner });
    let started = performance.now();
    await populate(db, group);
    console.log(`  setup: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const pick = () => 1 + Math.floor(Math.random() * TOTAL);
    /** The database the cases run on: the recording one while plans are taken. */
    let target: Db = db;
    const search = (q: string) => searchCustomers(target, group, { q, limit: 51 });
    const lookup = (key: CustomerKey) => lookupCustomersWithFigures(target, group, key, null);
    const cases: [string, (g: number) => Promise<unknown[]>][] = [
      ["admin q = number (or card)", (g) => search(customer(g).number)],
      ["admin q = email (other case)", (g) => search(customer(g).email.toUpperCase())],
      ["admin q = phone (formatted)", (g) => search(customer(g).phone.replace(/(\d{2})/g, "$1 "))],
      ["admin q = name prefix (page of 50)", (g) => search(customer(g).name.slice(0, 6))],
      ["admin q = full name", (g) => search(customer(g).name)],
      ["admin list, no q (page of 50)", () => search("")],
      ["POS lookup by number", (g) => lookup({ number: customer(g).number })],
      ["POS lookup by card", (g) => lookup({ card: customer(g).number })],
      ["POS lookup by email", (g) => lookup({ email: customer(g).email })],
      ["POS lookup by phone", (g) => lookup({ phone: customer(g).phone })],
    ];

    console.log("\nplans (EXPLAIN ANALYZE of every statement a call makes):");
    const fullScans: string[] = [];
    target = recorder.db;
    for (const [name, run] of cases) {
      recorder.seen.length = 0;
      const rows = await run(pick());
      if (rows.length === 0) throw new Error(`${name}: found nothing`);
      for (const query of [...recorder.seen]) {
        const { rows: plan } = await db.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain analyze ${query.sql}`, [...query.parameters]),
        );
        const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
        const indexes = [...text.matchAll(/Index (?:Only )?Scan (?:using|on) (\w+)/g)].map((m) =>
          m[1]
        );
        console.log(`  ${name}: ${[...new Set(indexes)].join(", ")}`);
        if (/Seq Scan on (customers|instruments)/.test(text)) fullScans.push(`${name}\n${text}`);
      }
    }
    if (fullScans.length) throw new Error(`full table scans:\n${fullScans.join("\n\n")}`);

    target = db;
    console.log(`\nlatency over ${SAMPLES} random customers (ms):`);
    console.log("  query                                   p50     p95     p99    mean");
    for (const [name, run] of cases) {
      for (let i = 0; i < 20; i++) await run(pick());
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const g = pick();
        const t0 = performance.now();
        await run(g);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((s, x) => s + x, 0) / times.length;
      const cols = [0.5, 0.95, 0.99].map((p) => percentile(times, p).toFixed(2).padStart(7));
      console.log(`  ${name.padEnd(38)}${cols.join(" ")} ${mean.toFixed(2).padStart(7)}`);
    }

    started = performance.now();
    for (let i = 0; i < 100; i++) {
      await createCustomer(db, group, {
        name: `New customer ${i}`,
        categories: ["MEMBER"],
      }, DEFAULT_SETTINGS);
    }
    console.log(
      `\ncreate a customer (generated number, automatic card, default account): ` +
        `${((performance.now() - started) / 100).toFixed(2)} ms each, over 100`,
    );
  } finally {
    // On PGlite both Kyselys share one instance, which close() shuts.
    if (!database.pglite) await recorder.db.destroy();
    await database.close();
  }
}

if (import.meta.main) await main();
