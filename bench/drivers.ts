/**
 * `deno run -A bench/drivers.ts <postgres url> [seconds] [connections]`: the Postgres driver
 * on a sale-shaped transaction, pg (node-postgres: unnamed statements, parsed on every call)
 * against postgres.js through kysely-postgres-js (statements prepared once per connection).
 * pg with named statements (prepared once per connection) is measured too. Each transaction claims a key, inserts a row, locks one of a thousand account rows, inserts
 * three entries in one statement, updates the account and the key: the statements of a sale
 * and their round trips, without the app around them. Tables are made and dropped in a scratch
 * schema. See docs/sale_path.md.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import postgres from "postgres";
import { PostgresJSDialect } from "kysely-postgres-js";

interface Tables {
  drv_keys: { key: string; status: number };
  drv_sales: { id: string; at: Date; total: number; note: string };
  drv_accounts: { id: number; balance: number };
  drv_entries: { sale_id: string; account_id: number; amount: number };
}

const [url, seconds = "10", connections = "64"] = Deno.args;
if (!url) {
  console.error("usage: deno run -A bench/drivers.ts <postgres url> [seconds] [connections]");
  Deno.exit(2);
}
const max = Number(connections);

async function setUp(db: Kysely<Tables>) {
  await sql`set client_min_messages = warning`.execute(db);
  await sql`drop table if exists drv_keys, drv_sales, drv_accounts, drv_entries`.execute(db);
  await sql`create table drv_keys (key text primary key, status int not null)`.execute(db);
  await sql`create table drv_sales (id uuid primary key, at timestamptz not null,
    total bigint not null, note text not null)`.execute(db);
  await sql`create table drv_accounts (id int primary key, balance bigint not null)`.execute(db);
  await sql`insert into drv_accounts select g, 0 from generate_series(1, 1000) g`.execute(db);
  await sql`create table drv_entries (sale_id uuid not null, account_id int not null,
    amount bigint not null)`.execute(db);
}

async function sale(db: Kysely<Tables>) {
  const id = crypto.randomUUID();
  const account = 1 + Math.floor(Math.random() * 1000);
  await db.transaction().execute(async (tx) => {
    await tx.insertInto("drv_keys").values({ key: id, status: 0 })
      .onConflict((oc) => oc.column("key").doNothing()).returning("key").execute();
    await tx.insertInto("drv_sales").values({ id, at: new Date(), total: 1000, note: "sale" })
      .execute();
    const row = await tx.selectFrom("drv_accounts").select("balance")
      .where("id", "=", account).forUpdate().executeTakeFirstOrThrow();
    await tx.insertInto("drv_entries").values([1, 2, 3].map((n) => ({
      sale_id: id,
      account_id: account,
      amount: n,
    }))).execute();
    await tx.updateTable("drv_accounts").set({ balance: Number(row.balance) + 6 })
      .where("id", "=", account).execute();
    await tx.updateTable("drv_keys").set({ status: 201 }).where("key", "=", id).execute();
  });
}

async function measure(name: string, db: Kysely<Tables>) {
  await setUp(db);
  const until = performance.now() + Number(seconds) * 1000;
  const latencies: number[] = [];
  await Promise.all(Array.from({ length: max }, async () => {
    while (performance.now() < until) {
      const start = performance.now();
      await sale(db);
      latencies.push(performance.now() - start);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))].toFixed(1);
  console.log(
    `${name.padEnd(12)} ${(latencies.length / Number(seconds)).toFixed(0).padStart(6)} tx/s` +
      `  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms`,
  );
  await sql`drop table drv_keys, drv_sales, drv_accounts, drv_entries`.execute(db);
  await db.destroy();
}

const withPg = () =>
  new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max }) }),
  });
/** pg with every statement named after its text: parsed once per connection, then bound. */
function withPgPrepared() {
  const pool = new pg.Pool({ connectionString: url, max });
  const names = new Map<string, string>();
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (text: unknown, values?: unknown[]) => {
        if (typeof text !== "string" || text.startsWith("begin") || text.startsWith("commit")) {
          return query(text, values);
        }
        let name = names.get(text);
        if (!name) names.set(text, name = `s${names.size}`);
        return query({ name, text, values });
      },
    });
  });
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}
const withPostgresJs = () =>
  new Kysely<Tables>({ dialect: new PostgresJSDialect({ postgres: postgres(url, { max }) }) });

console.log(`${max} connections, ${seconds} s each, on ${new URL(url).host}`);
// Twice each, alternating, so a change of the machine's load shows.
for (let round = 0; round < 2; round++) {
  await measure("pg", withPg());
  await measure("pg prepared", withPgPrepared());
  await measure("postgres.js", withPostgresJs());
}
