/**
 * Money is never created at the till (issue 22), end to end on PGlite or Postgres
 * (TEST_DATABASE_URL): a sale's tenders pay its net total (only cash may exceed it, as change),
 * a return pays back exactly the value it returns (to the sale's own tenders by default, cards
 * first), with the attacker's requests beside the cashier's, concurrent returns of one sale and
 * retries under one key. After every test the ledger is sound and each series' liability
 * equals its cards' balances.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import { assertLiabilityMatches, makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Money rules", member: { number: "M1" } });
const gift = await makeSeries(t, w);
const credit = await makeSeries(t, w, { type: "store-credit" });
const memberId = w.member!.customer.id;

// 100,000 points for M1: points tenders never fail for want of a balance here.
await adjustPoints(t.db, w, memberId, 100_000_00);

let receipts = 0;
/** A sale of `units` × 10.00, paid by `tenders`. */
const saleBody = (units: number, tenders: unknown[], extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `M-${++receipts}`,
  customer: { number: "M1" },
  lines: units ? [{ sku: "TEN", category: "GOODS", quantity: units, unitPrice: 1000 }] : [],
  tenders,
  ...extra,
});
/** A return of `units` of the sale `original` (null: without the receipt). */
const returnBody = (original: string | null, units: number, tenders: unknown[] = []) => ({
  receiptNumber: `M-${++receipts}`,
  at: "2026-03-04T10:00:00+01:00",
  ...(original
    ? { original: { receiptNumber: original } }
    : { currency: "EUR", customer: { number: "M1" } }),
  lines: [{ sku: "TEN", category: "GOODS", quantity: units, unitPrice: 1000 }],
  tenders,
});
const sell = (body: { receiptNumber: string }, key = `k-${body.receiptNumber}`) =>
  posCall(t, w.posToken, "POST", "/sales", { body, key });
const giveBack = (body: { receiptNumber: string }, key = `k-${body.receiptNumber}`) =>
  posCall(t, w.posToken, "POST", "/returns", { body, key });
const balanceOf = async (number: string) =>
  (await posCall(t, w.posToken, "GET", `/instruments/${number}`)).json.balance as number;
const giftCard = (number: string, amount: number) => ({ type: "giftCard", number, amount });
const storeCredit = (number: string, amount: number) => ({ type: "storeCredit", number, amount });
const cash = (amount: number) => ({ type: "CASH", amount });

/** Everything a sale or return could write in the organization, as one comparable value. */
async function written() {
  const r = await sql<{ t: string }>`select concat_ws('/',
    (select count(*) from sales where org_id = ${w.org.id}::uuid),
    (select count(*) from ledger_entries where org_id = ${w.org.id}::uuid),
    (select count(*) from instrument_activities where org_id = ${w.org.id}::uuid),
    (select count(*) from idempotency_keys where org_id = ${w.org.id}::uuid),
    (select coalesce(sum(balance), 0) from ledger_accounts
      where org_id = ${w.org.id}::uuid and instrument_id is not null)) as t`.execute(t.db);
  return r.rows[0].t;
}

/** A refused request: its status, the field its first error names, and nothing written. */
async function assertRefused(
  call: () => Promise<{ status: number; json: { errors: { field: string }[] } }>,
  field: string,
  status = 422,
) {
  const before = await written();
  const res = await call();
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.errors[0].field, field, JSON.stringify(res.json));
  assert.equal(await written(), before, "nothing written");
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
    await assertLiabilityMatches(t, [gift.id, credit.id]);
  });
}

test("attacker: a 90.00 basket with a 100.00 gift-card tender is refused; the card keeps its money", async () => {
  const card = await makeCard(t, w, gift, { balance: 10_000 });
  await assertRefused(() => sell(saleBody(9, [giftCard(card.number, 10_000)])), "tenders.0.amount");
  assert.equal(await balanceOf(card.number), 10_000);
  // The cashier's: the card pays exactly the total.
  const paid = await sell(saleBody(9, [giftCard(card.number, 9000)]));
  assert.equal(paid.status, 201, JSON.stringify(paid.json));
  assert.equal(paid.json.change, 0);
  assert.equal(await balanceOf(card.number), 1000);
});

test("attacker: a 50.00 sale paid with 0.10 cash or with no tender at all is refused", async () => {
  await assertRefused(() => sell(saleBody(5, [cash(10)])), "tenders");
  await assertRefused(() => sell(saleBody(5, [])), "tenders");
  // Cash short by a cent, even beside a card.
  const card = await makeCard(t, w, gift, { balance: 5000 });
  await assertRefused(
    () => sell(saleBody(5, [giftCard(card.number, 2000), cash(2999)])),
    "tenders",
  );
});

test("attacker: a gift card turned into cash (50.00 card and -40.00 cash on a 10.00 sale) is refused", async () => {
  const card = await makeCard(t, w, gift, { balance: 5000 });
  await assertRefused(
    () => sell(saleBody(1, [giftCard(card.number, 5000), cash(-4000)])),
    "tenders.1.amount",
  );
  // Nor as change: a card tender never exceeds what is due, only cash does.
  await assertRefused(
    () => sell(saleBody(1, [giftCard(card.number, 5000)])),
    "tenders.0.amount",
  );
  // Nor paid after cash already paid the total.
  await assertRefused(
    () => sell(saleBody(1, [cash(2000), giftCard(card.number, 1000)])),
    "tenders.1.amount",
  );
  await assertRefused(() => sell(saleBody(1, [cash(0)])), "tenders.0.amount");
  assert.equal(await balanceOf(card.number), 5000);
});

test("attacker: points and store credit never exceed what is still due", async () => {
  const card = await makeCard(t, w, credit, { balance: 5000 });
  // 20.00 of points on a 10.00 sale.
  await assertRefused(
    () => sell(saleBody(1, [{ type: "points", points: 2000 }])),
    "tenders.0.points",
  );
  // 5.00 cash, then 6.00 of store credit where 5.00 is due.
  await assertRefused(
    () => sell(saleBody(1, [cash(500), storeCredit(card.number, 600)])),
    "tenders.1.amount",
  );
  // Another money tender (a bank card) may not exceed either: only cash gives change.
  await assertRefused(
    () => sell(saleBody(1, [{ type: "VISA", amount: 1100 }])),
    "tenders.0.amount",
  );
});

test("cashier: exact tenders, cash with change, points + card + cash, discounts and a 0.00 sale", async () => {
  const card = await makeCard(t, w, gift, { balance: 2000 });
  const change = await sell(saleBody(5, [cash(6000)]));
  assert.equal(change.status, 201, JSON.stringify(change.json));
  assert.equal(change.json.change, 1000);
  // 10.00 of points, 20.00 from the card, 25.00 cash on 50.00: 5.00 change.
  const mixed = await sell(
    saleBody(5, [{ type: "points", points: 1000 }, giftCard(card.number, 2000), cash(2500)]),
  );
  assert.equal(mixed.status, 201, JSON.stringify(mixed.json));
  assert.equal(mixed.json.change, 500);
  assert.equal(await balanceOf(card.number), 0);
  const recorded = await t.db.selectFrom("sales").select("tenders")
    .where("id", "=", mixed.json.id).executeTakeFirstOrThrow();
  assert.deepEqual(recorded.tenders, [
    { type: "points", amount: 1000, points: 100000 },
    { type: "giftCard", amount: 2000, number: card.number },
    { type: "CASH", amount: 2000 },
  ]);
  // "cash" in any case.
  const lower = await sell(saleBody(1, [{ type: "cash", amount: 1050 }]));
  assert.equal(lower.status, 201, JSON.stringify(lower.json));
  assert.equal(lower.json.change, 50);
  // The net total: 50.00 less a 10.00 order discount is paid by 40.00.
  const discounted = (tenders: unknown[]) =>
    saleBody(5, tenders, { discounts: [{ kind: "sale", amount: 1000 }] });
  await assertRefused(() => sell(discounted([{ type: "VISA", amount: 5000 }])), "tenders.0.amount");
  const net = await sell(discounted([{ type: "VISA", amount: 4000 }]));
  assert.equal(net.status, 201, JSON.stringify(net.json));
  assert.equal(net.json.change, 0);
  // Nothing due: no tender needed, and none taken.
  const free = await sell(saleBody(0, []));
  assert.equal(free.status, 201, JSON.stringify(free.json));
  assert.equal(free.json.change, 0);
  await assertRefused(() => sell(saleBody(0, [cash(100)])), "tenders.0.amount");
});

test("offline sync: a sale whose tenders do not pay its total is refused alone", async () => {
  const card = await makeCard(t, w, gift, { balance: 10_000 });
  const bad = saleBody(9, [giftCard(card.number, 10_000)]);
  const good = saleBody(1, [cash(1000)]);
  const res = await posCall(t, w.posToken, "POST", "/sync", {
    body: {
      transactions: [
        { kind: "sale", idempotencyKey: `s-${bad.receiptNumber}`, body: bad },
        { kind: "sale", idempotencyKey: `s-${good.receiptNumber}`, body: good },
      ],
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const [refused, recorded] = res.json.results;
  assert.equal(refused.status, 422);
  assert.equal(refused.body.errors[0].field, "tenders.0.amount");
  assert.equal(recorded.status, 201);
  assert.equal(await balanceOf(card.number), 10_000);
});

test("attacker: a 10.00 return with a 5,000.00 store-credit tender is refused, with or without the receipt", async () => {
  const sale = await sell(saleBody(1, [cash(1000)]));
  assert.equal(sale.status, 201);
  const card = await makeCard(t, w, credit, { balance: 0 });
  await assertRefused(
    () => giveBack(returnBody(sale.json.receiptNumber, 1, [storeCredit(card.number, 500_000)])),
    "tenders.0.amount",
  );
  await assertRefused(
    () => giveBack(returnBody(null, 1, [storeCredit(card.number, 500_000)])),
    "tenders.0.amount",
  );
  // Negative or short refunds; no tender without the receipt.
  await assertRefused(
    () => giveBack(returnBody(sale.json.receiptNumber, 1, [cash(-1000)])),
    "tenders.0.amount",
  );
  await assertRefused(() => giveBack(returnBody(null, 1, [cash(500)])), "tenders");
  await assertRefused(() => giveBack(returnBody(null, 1)), "tenders");
  assert.equal(await balanceOf(card.number), 0);
  // The cashier's: the value returned onto store credit.
  const ok = await giveBack(
    returnBody(sale.json.receiptNumber, 1, [storeCredit(card.number, 1000)]),
  );
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  assert.deepEqual(ok.json.tenders, [
    { tenderIndex: 0, type: "storeCredit", amount: 1000, number: card.number },
  ]);
  assert.equal(await balanceOf(card.number), 1000);
});

test("attacker: a card refund beyond the value of the returned line is refused", async () => {
  const card = await makeCard(t, w, gift, { balance: 2000 });
  const sale = await sell(saleBody(2, [giftCard(card.number, 2000)]));
  assert.equal(sale.status, 201);
  await assertRefused(
    () => giveBack(returnBody(sale.json.receiptNumber, 1, [giftCard(card.number, 1500)])),
    "tenders.0.amount",
  );
  // Nor split over two tenders that together exceed it.
  await assertRefused(
    () =>
      giveBack(
        returnBody(sale.json.receiptNumber, 1, [giftCard(card.number, 600), cash(600)]),
      ),
    "tenders.1.amount",
  );
  const ok = await giveBack(returnBody(sale.json.receiptNumber, 1, [giftCard(card.number, 1000)]));
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  assert.equal(await balanceOf(card.number), 1000);
});

test("attacker: repeated partial returns never pay back more than the sale was paid", async () => {
  const card = await makeCard(t, w, gift, { balance: 3000 });
  const refundCard = await makeCard(t, w, credit, { balance: 0 });
  const sale = await sell(saleBody(3, [giftCard(card.number, 3000)]));
  assert.equal(sale.status, 201);
  const r = sale.json.receiptNumber;
  const first = await giveBack(returnBody(r, 1, [storeCredit(refundCard.number, 1000)]));
  assert.equal(first.status, 201, JSON.stringify(first.json));
  await assertRefused(
    () => giveBack(returnBody(r, 1, [storeCredit(refundCard.number, 1500)])),
    "tenders.0.amount",
  );
  // The default: onto the paying card, one unit's value each time.
  for (let i = 0; i < 2; i++) {
    const back = await giveBack(returnBody(r, 1));
    assert.equal(back.status, 201, JSON.stringify(back.json));
    assert.deepEqual(back.json.tenders, [
      { tenderIndex: -1, type: "giftCard", amount: 1000, number: card.number },
    ]);
  }
  await assertRefused(() => giveBack(returnBody(r, 1)), "lines.0.sku");
  assert.equal(await balanceOf(card.number), 2000);
  assert.equal(await balanceOf(refundCard.number), 1000);
});

test("a return against the receipt pays the cards back first, then cash, up to what each paid", async () => {
  const card = await makeCard(t, w, gift, { balance: 2000 });
  // 5.00 of points, 20.00 on the card, 25.00 cash (30.00 given, 5.00 change).
  const sale = await sell(
    saleBody(5, [{ type: "points", points: 500 }, giftCard(card.number, 2000), cash(3000)]),
  );
  assert.equal(sale.status, 201, JSON.stringify(sale.json));
  assert.equal(sale.json.change, 500);
  const r = sale.json.receiptNumber;
  const one = await giveBack(returnBody(r, 1));
  assert.equal(one.status, 201, JSON.stringify(one.json));
  // A fifth of the value: a fifth of the points (1.00), the rest onto the card.
  assert.deepEqual(one.json.tenders, [
    { tenderIndex: -1, type: "points", amount: 100, points: 100 },
    { tenderIndex: -1, type: "giftCard", amount: 900, number: card.number },
  ]);
  const rest = await giveBack(returnBody(r, 4));
  assert.equal(rest.status, 201, JSON.stringify(rest.json));
  assert.deepEqual(rest.json.tenders, [
    { tenderIndex: -1, type: "points", amount: 400, points: 400 },
    { tenderIndex: -1, type: "giftCard", amount: 1100, number: card.number },
    { tenderIndex: -1, type: "CASH", amount: 2500 },
  ]);
  assert.equal(rest.json.value, 4000);
  assert.equal(await balanceOf(card.number), 2000);
});

test("10 concurrent one-unit returns of a 5-unit sale: 5 pass, together paying back what it was paid", async () => {
  const card = await makeCard(t, w, gift, { balance: 3000 });
  const sale = await sell(saleBody(5, [giftCard(card.number, 3000), cash(2000)]));
  assert.equal(sale.status, 201, JSON.stringify(sale.json));
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => giveBack(returnBody(sale.json.receiptNumber, 1))),
  );
  const passed = answers.filter((a) => a.status === 201);
  assert.equal(passed.length, 5, JSON.stringify(answers.map((a) => a.status)));
  assert.ok(answers.every((a) => a.status === 201 || a.status === 422));
  const paidBack = (type: string) =>
    passed.flatMap((a) => a.json.tenders).filter((x: { type: string }) => x.type === type)
      .reduce((s: number, x: { amount: number }) => s + x.amount, 0);
  assert.equal(paidBack("giftCard"), 3000);
  assert.equal(paidBack("CASH"), 2000);
  assert.equal(await balanceOf(card.number), 3000);
});

test("concurrent returns naming store credit: together never more than the sale", async () => {
  const sale = await sell(saleBody(3, [cash(3000)]));
  assert.equal(sale.status, 201);
  const cards = await Promise.all(
    Array.from({ length: 6 }, () => makeCard(t, w, credit, { balance: 0 })),
  );
  const answers = await Promise.all(
    cards.map((c) =>
      giveBack(returnBody(sale.json.receiptNumber, 1, [storeCredit(c.number, 1000)]))
    ),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 3);
  let loaded = 0;
  for (const c of cards) loaded += await balanceOf(c.number);
  assert.equal(loaded, 3000);
});

test("a retried return (same Idempotency-Key, racing) loads the card once", async () => {
  const sale = await sell(saleBody(2, [cash(2000)]));
  assert.equal(sale.status, 201);
  const card = await makeCard(t, w, credit, { balance: 0 });
  const body = returnBody(sale.json.receiptNumber, 2, [storeCredit(card.number, 2000)]);
  const answers = await Promise.all(Array.from({ length: 8 }, () => giveBack(body, "same-key")));
  assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.map((a) => a.status)));
  assert.equal(new Set(answers.map((a) => JSON.stringify(a.json))).size, 1);
  assert.equal(await balanceOf(card.number), 2000);
  const returns = await t.db.selectFrom("sales").select("id")
    .where("original_sale_id", "=", sale.json.id).execute();
  assert.equal(returns.length, 1);
});

test("cash handed back as change earns no tender points, in the quote and the sale", async () => {
  const c = await buildWorld(t, { name: "Change earns nothing", member: { number: "C1" } });
  await publishRules(t, c, [
    memberRule("cash", {
      type: "tender-points",
      params: { tenderTypes: ["CASH"], pointsPerUnit: 1 },
    }),
  ]);
  // 40.00 due, 100.00 cash: 60.00 is change, so 40 points.
  const body = { ...saleBody(4, [cash(10_000)]), customer: { number: "C1" } };
  const { receiptNumber: _, ...quote } = body;
  const quoted = await posCall(t, c.posToken, "POST", "/quote", { body: quote });
  assert.equal(quoted.status, 200, JSON.stringify(quoted.json));
  assert.equal(quoted.json.points, 40);
  const sold = await posCall(t, c.posToken, "POST", "/sales", { body, key: "change-earns" });
  assert.equal(sold.status, 201, JSON.stringify(sold.json));
  assert.deepEqual([sold.json.points, sold.json.change], [40, 6000]);
});

Deno.test({
  name: "close",
  fn: () => t.close(),
  sanitizeOps: false,
  sanitizeResources: false,
});
