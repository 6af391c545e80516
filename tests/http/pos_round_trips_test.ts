/**
 * The round-trip budget of the POS hot path: statements each call sends to the database once
 * its caches are warm. A change that adds a query to a POS call fails here.
 */
import assert from "node:assert/strict";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Database } from "../../db/schema.ts";
import { createApp } from "../../app.tsx";
import { createTestApp, ORIGIN, signIn } from "../helpers/app.ts";
import { buildWorld, posCall, publishRules } from "../helpers/world.ts";
import { upsertItems } from "../../catalogue/items.ts";
import { EXAMPLES } from "../../rules/examples.ts";

const BUDGET = { me: 0, lookup: 1, create: 5, quote: 2, sale: 8 };

const t = await createTestApp();
const w = await buildWorld(t, { member: { number: "M1" } });
await publishRules(t, w, EXAMPLES);
await upsertItems(t.db, w.group, [
  { sku: "SH1", name: "Shoe", category: "SHOES", prices: [4999, 4999, 4999, 4999, 4999] },
], w.owner);
const statements: string[] = [];
// Kysely's log sees every statement sent, also those compiled once (db/compiled.ts).
const counting = new Kysely<Database>({
  dialect: t.database.pglite
    ? new PGliteDialect(t.database.pglite)
    : new PostgresDialect({ pool: new pg.Pool({ connectionString: t.database.url }) }),
  log: (e) => {
    if (e.level === "query") statements.push(e.query.sql.split(/\s+/).slice(0, 2).join(" "));
  },
});
const app = createApp({
  db: counting,
  dbKind: t.database.kind,
  config: t.config,
  assets: { islands: {}, files: {} },
});
const counted = {
  ...t,
  request: (path: string, init?: RequestInit) => app.request(ORIGIN + path, init),
};

/** Statements sent by the second of two identical calls (the first warms the caches). */
async function warm(call: () => Promise<{ status: number }>, status: number) {
  assert.equal((await call()).status, status);
  statements.length = 0;
  assert.equal((await call()).status, status);
  return statements.length;
}

let n = 0;
const create = () =>
  posCall(counted, w.posToken, "POST", "/customers", {
    body: { name: `Round Trip ${n}`, categories: ["GOLD"] },
    key: `rt-${n++}`,
  });

Deno.test("GET /api/pos/v1/me sends no statement once warm", async () => {
  const me = await warm(() => posCall(counted, w.posToken, "GET", "/me"), 200);
  assert.ok(me <= BUDGET.me, `${me} statements`);
});

Deno.test("customer lookup by card, with balances and statistics, is one statement once warm", async () => {
  const lookup = await warm(
    () => posCall(counted, w.posToken, "GET", "/customers/lookup?card=M1"),
    200,
  );
  assert.equal(lookup, BUDGET.lookup, `${lookup} statements`);
  // The balance, key line total and statistics come in that one statement.
  const { customer } =
    (await posCall(counted, w.posToken, "GET", "/customers/lookup?card=M1")).json;
  assert.deepEqual(Object.keys(customer).filter((k) => k === "balances" || k === "statistics"), [
    "balances",
    "statistics",
  ]);
});

Deno.test("customer create is at most five statements in one transaction once warm", async () => {
  await warm(create, 201);
  const control = statements.filter((s) => /^(begin|commit)/.test(s));
  const made = statements.length - control.length;
  assert.deepEqual(control, ["begin", "commit"], "one transaction");
  assert.ok(made <= BUDGET.create, `${made} statements: ${statements.join(", ")}`);
  console.log(`statements per call: me 0, lookup 1, create ${made} (${statements.join(", ")})`);
});

Deno.test("a quote is at most two statements once warm: the customer, the SKUs' categories", async () => {
  const quote = () =>
    posCall(counted, w.posToken, "POST", "/quote", {
      body: {
        currency: "EUR",
        customer: { card: "M1" },
        lines: [
          { sku: "SH1", quantity: 2, unitPrice: 4999 },
          { sku: "X1", category: "SOCKS", quantity: 1, unitPrice: 500 },
        ],
        tenders: [{ type: "GIFT", amount: 10498 }],
      },
    });
  const quoted = await warm(quote, 200);
  assert.ok(quoted <= BUDGET.quote, `${quoted} statements: ${statements.join(", ")}`);
  assert.ok((await quote()).json.points > 0, "the published rules were evaluated");
});

Deno.test("a member's sale is at most eight statements once warm, six in its transaction", async () => {
  const sale = () =>
    posCall(counted, w.posToken, "POST", "/sales", {
      body: {
        currency: "EUR",
        at: "2026-03-03T10:00:00+01:00",
        receiptNumber: `RT-${n}`,
        customer: { card: "M1" },
        lines: [
          { sku: "SH1", quantity: 2, unitPrice: 4999 },
          { sku: "X1", category: "SOCKS", quantity: 1, unitPrice: 500 },
        ],
        tenders: [{ type: "CASH", amount: 10498 }],
      },
      key: `rt-sale-${n++}`,
    });
  // Before its transaction, the pricing: the customer, the SKUs' categories (as the quote);
  // in it: the key, the sale's rows, the accounts, the posting, the statistics, the answer.
  const sent = await warm(sale, 201);
  const control = statements.filter((s) => /^(begin|commit)/.test(s));
  const made = sent - control.length;
  assert.ok(made <= BUDGET.sale, `${made} statements: ${statements.join(", ")}`);
  console.log(`statements per sale: ${made} (${statements.join(", ")})`);
});

Deno.test("a POS call never runs the console's middleware: a staff session cookie on it is not read", async () => {
  // A browser's console session on the same origin as a POS web client sends its cookie along.
  const { cookie } = await signIn(t, w.owner.email);
  const me = await warm(
    () => posCall(counted, w.posToken, "GET", "/me", { headers: { Cookie: cookie } }),
    200,
  );
  assert.equal(me, 0, `${me} statements: ${statements.join(", ")}`);
  const quote = await warm(
    () =>
      posCall(counted, w.posToken, "POST", "/quote", {
        body: {
          currency: "EUR",
          customer: { card: "M1" },
          lines: [{ sku: "SH1", quantity: 1, unitPrice: 4999 }],
          tenders: [{ type: "CASH", amount: 4999 }],
        },
        headers: { Cookie: cookie },
      }),
    200,
  );
  assert.ok(quote <= BUDGET.quote, `${quote} statements: ${statements.join(", ")}`);
});

Deno.test("close", async () => {
  // On PGlite the counting instance shares the database, which t.close() closes.
  if (!t.database.pglite) await counting.destroy();
  await t.close();
});
