/**
 * No shared hot row on the sale path (issue 21), on PGlite or Postgres (TEST_DATABASE_URL).
 *
 * Many sales at once, each sent twice with its Idempotency-Key (a retry racing the first), on
 * one member, one card, one store (four POS) and one group (three stores of two merchants):
 * no overdraw, every kept balance equals its entries (the ledger check), each series' liability
 * equals its cards' balances, no deadlock (every request answered: 201, or the 409 the
 * balance calls for) and every retry gets its first answer byte for byte.
 *
 * That no sale statement touches a row shared with another member's sale is shown two ways:
 *  - structurally, on both databases: a sale is recorded inside an open transaction, then
 *    every row of every table that transaction wrote (its id as the row's xmin) is listed.
 *    The rows that existed before the sale may only be the member's and the card's own;
 *    everything else it wrote is a row it inserted (its sale, lines, entries…). This names the
 *    table and row at fault. Locks are not listed: the foreign keys of the rows a sale inserts
 *    take KEY SHARE locks on the rows they reference (organization, group, store, programme
 *    accounts), which only a delete or a change of their key waits for, never another sale;
 *    telling those apart from FOR UPDATE locks needs pgrowlocks, so the locks are proven by the second way:
 *  - by behaviour, on Postgres (PGlite has one connection, so two transactions cannot be open
 *    at once): sale A's transaction is left open after all its statements ran; sale B, of
 *    another member paying with another card of the same series at another POS of the same
 *    store, runs and commits while A is still open, and only then does A commit. B runs
 *    under a lock_timeout so that a wait fails the test instead of hanging it; what is
 *    asserted is the order of the commits, not a duration.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { idempotencyScope } from "../../auth/pos.ts";
import type { Db } from "../../db/connection.ts";
import { pointsBalances } from "../../ledger/balances.ts";
import { createCustomer } from "../../members/customers.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { recordSale, type SaleContext } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import { assertLiabilityMatches, makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const W = await buildWorld(t, {
  name: "Hot rows",
  member: null,
  morePos: [2, 3, 4],
  moreStores: [{ number: 2, pos: [1, 2] }, { number: 3, pos: [1] }],
});
// Stores 2 and 3 in the group through a second merchant: one group, three stores.
await addMerchantToGroup(
  t.db,
  W.group,
  await createMerchant(t.db, {
    orgId: W.org.id,
    name: "Hot rows two",
    storeIds: [W.stores[1].id, W.stores[2].id],
    actor: W.owner,
  }),
  W.owner,
);
await publishRules(t, W, [memberRule("basic", {
  type: "basic-points",
  params: { pointsPerUnit: 1 },
})]);
const gift = await makeSeries(t, W);

const member = async (name: string) =>
  (await createCustomer(t.db, W.group, { name, categories: ["GOLD"] }, W.settings)).customer;

let receipts = 0;
/** A sale of one line (10.00 by default), the member's, paid by `tenders` (cash by default). */
const saleBody = (
  customer: string | null,
  tenders: unknown[] = [{ type: "CASH", amount: 1000 }],
  unitPrice = 1000,
) => ({
  currency: "EUR",
  at: "2026-05-05T10:00:00+02:00",
  receiptNumber: `H-${++receipts}`,
  ...(customer ? { customer: { number: customer } } : {}),
  lines: [{ sku: "SKU1", category: "SHOES", quantity: 1, unitPrice }],
  tenders,
});

/** A member's balance from their sales: what they started with, earned and spent. */
async function expectedBalance(customerId: string, start: number) {
  const sales = await t.db.selectFrom("sales").select(["points", "points_redeemed"])
    .where("customer_id", "=", customerId).execute();
  assert.ok(sales.length > 0);
  return sales.reduce((b, s) => b + s.points - s.points_redeemed, start);
}

/** Each sale sent twice at once with its key; both answers of a key must be the same text. */
async function sellTwice(sales: { token: string; body: unknown; key: string }[]) {
  const answers = await Promise.all(
    sales.flatMap((s) =>
      [0, 1].map(() => posCall(t, s.token, "POST", "/sales", { body: s.body, key: s.key }))
    ),
  );
  const firsts = [];
  for (let i = 0; i < sales.length; i++) {
    const [a, b] = [answers[2 * i], answers[2 * i + 1]];
    assert.equal(a.status, b.status, `${sales[i].key}: ${a.status} and ${b.status}`);
    assert.deepEqual(a.json, b.json, `${sales[i].key}: the retry gets the first answer`);
    firsts.push(a);
  }
  return firsts;
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
    await assertLiabilityMatches(t, [gift.id]);
  });
}

test("one member: 20 sales at once spending 10 points each from 100, retried: 10 pass, no overdraw", async () => {
  const m = await member("One Member");
  await adjustPoints(t.db, W, m.id, 10_000);
  const answers = await sellTwice(Array.from({ length: 20 }, (_, i) => ({
    token: W.tokenAt(1, 1 + (i % 4)),
    // 0.10 paid by 10 points (pointValue 1): nothing left to earn on.
    body: saleBody(m.number, [{ type: "points", points: 10 }], 10),
    key: `member-${i}`,
  })));
  const passed = answers.filter((a) => a.status === 201);
  assert.equal(passed.length, 10, JSON.stringify(answers.map((a) => a.status)));
  assert.ok(
    answers.every((a) =>
      a.status === 201 || (a.status === 409 && a.json.type.endsWith("/insufficient-points"))
    ),
  );
  const balance = (await pointsBalances(t.db, [m.id])).get(m.id)!;
  assert.equal(balance, await expectedBalance(m.id, 10_000));
  assert.ok(balance >= 0);
});

test("one card: 20 sales at once paying 10.00 from a card with 100.00, retried: 10 pass, the card ends at 0", async () => {
  const card = await makeCard(t, W, gift, { balance: 10_000 });
  const answers = await sellTwice(Array.from({ length: 20 }, (_, i) => ({
    token: W.tokenAt(1, 1 + (i % 4)),
    body: saleBody(null, [{ type: "giftCard", number: card.number, amount: 1000 }]),
    key: `card-${i}`,
  })));
  assert.equal(answers.filter((a) => a.status === 201).length, 10);
  assert.ok(
    answers.every((a) =>
      a.status === 201 || (a.status === 409 && a.json.type.endsWith("/insufficient-funds"))
    ),
  );
  const after = await posCall(t, W.posToken, "GET", `/instruments/${card.number}`);
  assert.equal(after.json.balance, 0);
});

test("one store: 24 sales of 8 members and anonymous customers at once on its 4 POS, retried: all recorded", async () => {
  const members = await Promise.all(Array.from({ length: 8 }, (_, i) => member(`Store ${i}`)));
  const cards = await Promise.all(
    Array.from({ length: 4 }, () => makeCard(t, W, gift, { balance: 5000 })),
  );
  const answers = await sellTwice(Array.from({ length: 24 }, (_, i) => ({
    token: W.tokenAt(1, 1 + (i % 4)),
    body: saleBody(
      i % 3 === 2 ? null : members[i % 8].number,
      i < 4 ? [{ type: "giftCard", number: cards[i].number, amount: 1000 }] : undefined,
    ),
    key: `store-${i}`,
  })));
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 201));
  const day = await t.db.selectFrom("store_day_statistics")
    .select(["member_count", "non_member_count"])
    .where("store_id", "=", W.store.id).where("trading_day", "=", "2026-05-05")
    .executeTakeFirstOrThrow();
  const sales = await t.db.selectFrom("sales").select(["member"])
    .where("store_id", "=", W.store.id).where("trading_day", "=", "2026-05-05").execute();
  assert.equal(day.member_count, sales.filter((s) => s.member).length);
  assert.equal(day.non_member_count, sales.filter((s) => !s.member).length);
});

test("one group: 30 sales at once over its 3 stores, earning and spending points, retried: all recorded", async () => {
  const members = await Promise.all(Array.from({ length: 10 }, (_, i) => member(`Group ${i}`)));
  for (const m of members) await adjustPoints(t.db, W, m.id, 1000);
  const tills = [[1, 1], [1, 2], [2, 1], [2, 2], [3, 1]];
  const answers = await sellTwice(Array.from({ length: 30 }, (_, i) => ({
    token: W.tokenAt(tills[i % 5][0], tills[i % 5][1]),
    body: saleBody(members[i % 10].number, [{ type: "points", points: 1 }, {
      type: "CASH",
      amount: 1000,
    }]),
    key: `group-${i}`,
  })));
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 201));
  const balances = await pointsBalances(t.db, members.map((m) => m.id));
  for (const m of members) assert.equal(balances.get(m.id), await expectedBalance(m.id, 1000));
});

const tillOf = (storeIndex: number, posNumber: number) => {
  const store = W.stores[storeIndex];
  return {
    storeNumber: store.number,
    posNumber,
    timezone: store.timezone,
    storeId: store.id,
    posId: W.posAt(store.number, posNumber).id,
  };
};

function contextAt(posNumber: number, key: string): SaleContext {
  const till = tillOf(0, posNumber);
  return {
    programmes: new ProgrammeCache(t.db),
    programme: { group: W.group, settings: W.settings },
    till,
    idempotency: {
      scope: idempotencyScope({ kind: "pos", jti: "x", org: W.org.id, pos: till.posId }),
      key,
    },
  };
}

/** A member's sale earning points, spending one, paid in part by a card of the gift series. */
async function sharedShapedSale(name: string, posNumber: number) {
  const m = await member(name);
  await adjustPoints(t.db, W, m.id, 1000);
  const card = await makeCard(t, W, gift, { balance: 5000 });
  return {
    memberId: m.id,
    cardId: card.id,
    ctx: contextAt(posNumber, `shared-${name}`),
    request: SaleRequestSchema.parse(saleBody(m.number, [
      { type: "points", points: 1 },
      { type: "giftCard", number: card.number, amount: 400 },
      { type: "CASH", amount: 1000 },
    ])),
  };
}

// A first sale of the group, so the programme's accounts it posts to exist (the first posting
// to one creates it, once per group).
const warm = await sharedShapedSale("Warm up", 1);
await recordSale(t.db, warm.ctx, warm.request);

/** Rows of `table` this transaction wrote (inserted, or updated: a new version), as JSON. */
async function written(tx: Db, table: string) {
  const r = await sql<{ row: Record<string, unknown> }>`
    select to_jsonb(x) as row from ${sql.table(table)} x
    where x.xmin::text::bigint = txid_current() % 4294967296`.execute(tx);
  return r.rows.map((x) => x.row);
}

async function countOf(db: Db, table: string) {
  const r = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`
    .execute(db);
  return Number(r.rows[0].n);
}

test("a sale writes no row that existed before it but its member's and its card's", async () => {
  const s = await sharedShapedSale("Structural", 2);
  const tables = (await sql<{ table_name: string }>`select table_name
    from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(t.db)).rows
    .map((r) => r.table_name);
  const before = new Map<string, number>();
  for (const table of tables) before.set(table, await countOf(t.db, table));
  const found: Record<string, Record<string, unknown>[]> = {};
  const added = new Map<string, number>();
  await assert.rejects(
    t.db.transaction().execute(async (tx) => {
      await recordSale(tx, s.ctx, s.request);
      for (const table of tables) {
        const rows = await written(tx, table);
        if (!rows.length) continue;
        found[table] = rows;
        added.set(table, await countOf(tx, table) - before.get(table)!);
      }
      throw new Error("rolled back once the rows are read");
    }),
    /rolled back/,
  );
  // Rows that were there before: the member's points account and statistics, the card's row
  // and its money account.
  const own = (row: Record<string, unknown>) =>
    row.customer_id === s.memberId || row.instrument_id === s.cardId || row.id === s.cardId;
  const existing = ["ledger_accounts", "customer_statistics", "instruments"];
  for (const table of existing) {
    for (const row of found[table] ?? []) {
      assert.ok(
        own(row),
        `${table}: a row not the member's nor the card's: ${JSON.stringify(row)}`,
      );
    }
  }
  // Everything else it wrote is new: as many rows as the table gained.
  for (const [table, rows] of Object.entries(found)) {
    if (existing.includes(table)) continue;
    assert.equal(added.get(table), rows.length, `${table}: rows written that were there before`);
  }
  assert.ok(found.ledger_entries?.length, "the sale posted");
  assert.ok(found.customer_statistics?.length, "the member's statistics moved");
});

if (testBackend === "postgres") {
  test("two members' sales in two open transactions: the second commits while the first is open", async () => {
    const a = await sharedShapedSale("Open A", 3);
    const b = await sharedShapedSale("Open B", 4);
    const order: string[] = [];
    let done!: () => void;
    const aWrote = new Promise<void>((resolve) => done = resolve);
    let release!: () => void;
    const aMayCommit = new Promise<void>((resolve) => release = resolve);
    const first = t.db.transaction().execute(async (tx) => {
      await recordSale(tx, a.ctx, a.request);
      done();
      await aMayCommit;
    }).then(() => order.push("A committed"));
    await aWrote;
    await t.db.transaction().execute(async (tx) => {
      // A wait on a row A holds fails the test here instead of hanging it.
      await sql`set local lock_timeout = '20s'`.execute(tx);
      await recordSale(tx, b.ctx, b.request);
    });
    order.push("B committed");
    release();
    await first;
    assert.deepEqual(order, ["B committed", "A committed"]);
    for (const id of [a.memberId, b.memberId]) {
      assert.equal((await pointsBalances(t.db, [id])).get(id), await expectedBalance(id, 1000));
    }
  });
}

Deno.test("close the test app", async () => {
  await t.close();
});
