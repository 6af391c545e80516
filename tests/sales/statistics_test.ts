/**
 * Member statistics written by sales (seed 004), on PGlite or Postgres: visits by the store's
 * trading day with the setting on and off, local midnight, member and non-member days, returns
 * (a return's row and recordReturnStatistics, written directly), and the rebuild from the sales
 * giving exactly the incremental rows; a store's day is a view of the sales (migration 0017).
 * The ledger invariants are asserted after every test.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { inTransaction } from "../../db/transaction.ts";
import { createCustomer } from "../../members/customers.ts";
import { recordReturnStatistics, statisticsOf } from "../../members/statistics.ts";
import { rebuildStatistics } from "../../sales/rebuild_statistics.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, posCall, type World } from "../helpers/world.ts";

const t = await createTestApp();
/** Pubs: several sales in one trading day are one visit. Europe/Paris (UTC+1 in winter). */
const ON = await buildWorld(t, {
  name: "Stats on",
  member: null,
  settings: { multipleSalesInOneDayCountAsOneVisit: true, nonLoyaltyCategoryCodes: ["CASH"] },
});
/** Retail: every sale is a visit. */
const OFF = await buildWorld(t, { name: "Stats off", member: null });

let n = 0;
async function sell(w: World, customer: string | null, at: string, amount = 1000) {
  const res = await posCall(t, w.posToken, "POST", "/sales", {
    key: `stats-${++n}`,
    body: {
      currency: "EUR",
      at,
      receiptNumber: `S-${n}`,
      ...(customer ? { customer: { number: customer } } : {}),
      lines: [{ sku: "B", category: "BEER", quantity: 1, unitPrice: amount }],
      tenders: [{ type: "CASH", amount }],
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json as { id: string };
}

async function member(w: World, categories = ["GOLD"]) {
  return (await createCustomer(t.db, w.group, { name: "Stat Member", categories }, w.settings))
    .customer;
}

const statsOf = async (id: string) => (await statisticsOf(t.db, [id])).get(id)!;
const storeDay = (w: World, day: string) =>
  t.db.selectFrom("store_day_statistics")
    .select(["member_count", "member_total", "non_member_count", "non_member_total"])
    .where("store_id", "=", w.store.id).where("trading_day", "=", day).executeTakeFirst();

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

test("two sales in one trading day: one visit with the setting on, two with it off", async () => {
  for (const [w, visits] of [[ON, 1], [OFF, 2]] as const) {
    const c = await member(w);
    await sell(w, c.number, "2026-02-10T09:00:00+01:00", 1000);
    await sell(w, c.number, "2026-02-10T21:00:00+01:00", 500);
    const s = await statsOf(c.id);
    assert.equal(s.visits, visits, w.org.name);
    assert.equal(s.salesCount, 2);
    assert.equal(s.spend, 1500);
    assert.equal(s.firstVisit?.toISOString(), "2026-02-10T08:00:00.000Z");
    assert.equal(s.lastVisit?.toISOString(), "2026-02-10T20:00:00.000Z");
  }
});

test("23:30 and 00:30 on the store's clock are two trading days (the same UTC date)", async () => {
  const c = await member(ON);
  const late = await sell(ON, c.number, "2026-01-14T22:30:00Z");
  const early = await sell(ON, c.number, "2026-01-14T23:30:00Z");
  const days = await t.db.selectFrom("sales").select(["id", "trading_day"])
    .where("id", "in", [late.id, early.id]).execute();
  assert.deepEqual(
    [late.id, early.id].map((id) => days.find((d) => d.id === id)!.trading_day),
    ["2026-01-14", "2026-01-15"],
  );
  assert.equal((await statsOf(c.id)).visits, 2);
  const visitDays = await t.db.selectFrom("customer_visit_days").select("trading_day")
    .where("customer_id", "=", c.id).orderBy("trading_day").execute();
  assert.deepEqual(visitDays.map((d) => d.trading_day), ["2026-01-14", "2026-01-15"]);
  // An offline sale sent later, earlier in time: first visit moves back, last stays.
  await sell(ON, c.number, "2026-01-13T12:00:00+01:00");
  const s = await statsOf(c.id);
  assert.equal(s.firstVisit?.toISOString(), "2026-01-13T11:00:00.000Z");
  assert.equal(s.lastVisit?.toISOString(), "2026-01-14T23:30:00.000Z");
  assert.equal(s.visits, 3);
});

test("the store's day counts member and non-member transactions and totals", async () => {
  const day = "2026-05-05";
  const at = `${day}T12:00:00+02:00`;
  const m = await member(ON);
  const plain = await member(ON, ["CASH"]);
  await sell(ON, m.number, at, 1000);
  await sell(ON, m.number, at, 200);
  await sell(ON, plain.number, at, 300);
  await sell(ON, null, at, 400);
  assert.deepEqual(await storeDay(ON, day), {
    member_count: 2,
    member_total: 1200,
    non_member_count: 2,
    non_member_total: 700,
  });
  assert.equal((await statsOf(plain.id)).salesCount, 0, "a plain customer has no statistics");
});

/** A return's row as sales/return.ts writes it, with its statistics, in one transaction. */
async function returned(
  w: World,
  r: { customerId: string | null; member: boolean; at: string; day: string; total: number },
) {
  await inTransaction(t.db, async (tx) => {
    await tx.insertInto("sales").values({
      org_id: w.org.id,
      group_id: w.group.id,
      store_id: w.store.id,
      pos_id: w.pos.id,
      kind: "return",
      receipt_number: `RET-${++n}`,
      at: r.at,
      trading_day: r.day,
      customer_id: r.customerId,
      member: r.member,
      currency: "EUR",
      total: r.total,
    }).execute();
    await recordReturnStatistics(tx, {
      orgId: w.org.id,
      customerId: r.customerId,
      member: r.member,
      tradingDay: r.day,
      total: r.total,
    });
  });
}

test("a return lowers spend and the day's total, never visits", async () => {
  const c = await member(OFF);
  await sell(OFF, c.number, "2026-06-01T10:00:00+02:00", 2000);
  const before = await statsOf(c.id);
  const dayBefore = await storeDay(OFF, "2026-06-02");
  const at = "2026-06-02T10:00:00+02:00";
  await returned(OFF, { customerId: c.id, member: true, at, day: "2026-06-02", total: 700 });
  assert.deepEqual(await statsOf(c.id), { ...before, spend: 1300 });
  assert.equal(dayBefore, undefined);
  // The store's day is summed from the sales (a view, migration 0017).
  assert.deepEqual(await storeDay(OFF, "2026-06-02"), {
    member_count: 0,
    member_total: -700,
    non_member_count: 0,
    non_member_total: 0,
  });
  await returned(OFF, { customerId: null, member: false, at, day: "2026-06-02", total: 50 });
  assert.equal((await storeDay(OFF, "2026-06-02"))?.non_member_total, -50);
});

/** The three statistics tables, in a stable order, as text. */
async function snapshot() {
  const r = await sql<{ t: string }>`select
    (select coalesce(json_agg(c order by customer_id), '[]')::text from customer_statistics c) ||
    (select coalesce(json_agg(d order by customer_id, trading_day), '[]')::text
      from customer_visit_days d) ||
    (select coalesce(json_agg(s order by store_id, trading_day), '[]')::text
      from store_day_statistics s) as t`.execute(t.db);
  return r.rows[0].t;
}

test("stats:rebuild from the sales gives exactly the incremental rows, returns included", async () => {
  // A mix on top of the tests above: same day, across local midnight, both settings, members,
  // a plain customer, anonymous; then a return recorded as returns will record it.
  const a = await member(ON);
  const b = await member(OFF);
  for (const w of [ON, OFF]) {
    const c = w === ON ? a : b;
    await sell(w, c.number, "2026-07-01T23:30:00+02:00");
    await sell(w, c.number, "2026-07-02T00:30:00+02:00");
    await sell(w, c.number, "2026-07-02T12:00:00+02:00");
    await sell(w, null, "2026-07-02T12:00:00+02:00");
  }
  await sell(OFF, b.number, "2026-07-03T10:00:00+02:00", 900);
  const at = "2026-07-04T10:00:00+02:00";
  await returned(OFF, { customerId: b.id, member: true, at, day: "2026-07-04", total: 400 });
  assert.equal((await statsOf(a.id)).visits, 2, "on: 07-01 and 07-02");
  assert.equal((await statsOf(b.id)).visits, 4, "off: every sale");
  assert.equal((await statsOf(b.id)).spend, 3 * 1000 + 900 - 400);

  const incremental = await snapshot();
  const counts = await rebuildStatistics(t.db);
  assert.ok(counts.customers > 0 && counts.storeDays > 0 && counts.visitDays > 0);
  assert.equal(await snapshot(), incremental);
  // One organization alone: the others are left as they are.
  await rebuildStatistics(t.db, ON.org.id);
  assert.equal(await snapshot(), incremental);
});

Deno.test("close the test app", async () => {
  await t.close();
});
