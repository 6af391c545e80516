/**
 * Gift cards and store credit as tenders of a sale and refunds of a return, end to end on
 * PGlite or Postgres (TEST_DATABASE_URL): a sale paid by card + points + cash where the card
 * has too little writes nothing (and its corrected retry makes one sale), every refusal names
 * its tender, concurrent sales on one card never overdraw it, and returns put the money back on
 * the paying card (cards first, then the sale's other tenders) or on the card the return names. After every
 * test the ledger is sound and each series' liability equals its cards' balances.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { pointsBalances } from "../../ledger/balances.ts";
import { adminCall, createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import { assertLiabilityMatches, makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const A = await buildWorld(t, { name: "Tenders A", member: { number: "M1" } });
const B = await buildWorld(t, { name: "Tenders B" });
await publishRules(t, A, [memberRule("basic", {
  type: "basic-points",
  params: { pointsPerUnit: 1 },
})]);
const gift = await makeSeries(t, A);
const credit = await makeSeries(t, A, { type: "store-credit" });
const dollars = await makeSeries(t, A, { currency: "USD" });
const theirs = await makeSeries(t, B);
const allSeries = [gift.id, credit.id, dollars.id, theirs.id];
const memberId = A.member!.customer.id;

// 100.00 points for M1.
await adjustPoints(t.db, A, memberId, 10_000);

let receipts = 0;
/** A 50.00 sale of one line, paid by `tenders`. */
const saleBody = (tenders: unknown[], extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `S-${++receipts}`,
  lines: [{ sku: "SKU1", category: "SHOES", quantity: 2, unitPrice: 2500 }],
  tenders,
  ...extra,
});
const sell = (body: unknown, key: string) =>
  posCall(t, A.posToken, "POST", "/sales", { body, key });
const giveBack = (body: unknown, key: string) =>
  posCall(t, A.posToken, "POST", "/returns", { body, key });
const balanceOf = async (number: string) =>
  (await posCall(t, A.posToken, "GET", `/instruments/${number}`)).json.balance as number;

/** Everything a sale could write in A's organization, as one comparable value. */
async function written() {
  const r = await sql<{ t: string }>`select
    (select count(*) from sales where org_id = ${A.org.id}::uuid)::text || '/' ||
    (select count(*) from ledger_entries where org_id = ${A.org.id}::uuid)::text || '/' ||
    (select count(*) from instrument_activities where org_id = ${A.org.id}::uuid)::text || '/' ||
    (select count(*) from idempotency_keys where org_id = ${A.org.id}::uuid)::text || '/' ||
    (select coalesce(sum(balance), 0) from ledger_accounts
      where org_id = ${A.org.id}::uuid and instrument_id is not null)::text as t`.execute(t.db);
  return r.rows[0].t;
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
    await assertLiabilityMatches(t, allSeries);
  });
}

test("gift card + points + cash with too little on the card writes nothing; the corrected retry makes one sale", async () => {
  const card = await makeCard(t, A, gift, { balance: 2000 });
  const pointsBefore = (await pointsBalances(t.db, [memberId])).get(memberId);
  const before = await written();
  const tenders = (onCard: number) => [
    { type: "giftCard", number: card.number, amount: onCard },
    { type: "points", points: 10 },
    { type: "CASH", amount: 5000 - onCard - 10 },
  ];
  const body = saleBody(tenders(2500), { customer: { number: "M1" } });
  const refused = await sell(body, "mixed-1");
  assert.equal(refused.status, 409, JSON.stringify(refused.json));
  assert.match(refused.json.type, /\/insufficient-funds$/);
  assert.deepEqual(refused.json.errors, [{
    field: "tenders.0.amount",
    message: "more than the balance",
  }]);
  assert.equal(await written(), before, "nothing of the sale is written");
  assert.equal((await pointsBalances(t.db, [memberId])).get(memberId), pointsBefore);

  const corrected = { ...body, tenders: tenders(2000) };
  const sold = await sell(corrected, "mixed-1");
  assert.equal(sold.status, 201, JSON.stringify(sold.json));
  assert.deepEqual(sold.json.cards, [{
    tenderIndex: 0,
    type: "giftCard",
    number: card.number,
    amount: 2000,
    balance: 0,
  }]);
  const again = await sell(corrected, "mixed-1");
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  assert.deepEqual(again.json, sold.json);
  const sales = await t.db.selectFrom("sales").select("id")
    .where("receipt_number", "=", corrected.receiptNumber).execute();
  assert.equal(sales.length, 1);
  assert.equal(await balanceOf(card.number), 0);
  const history = await t.db.selectFrom("instrument_activities")
    .select(["kind", "amount", "balance_after", "receipt_number", "sale_id", "pos_id"])
    .where("instrument_id", "=", card.id).where("kind", "=", "redeem").execute();
  assert.deepEqual(history, [{
    kind: "redeem",
    amount: -2000,
    balance_after: 0,
    receipt_number: corrected.receiptNumber,
    sale_id: sold.json.id,
    pos_id: A.pos.id,
  }]);
  // The points tender and the card share the sale's one ledger transaction.
  const transactions = await t.db.selectFrom("ledger_transactions").select("id")
    .where("sale_id", "=", sold.json.id).execute();
  assert.equal(transactions.length, 1);
});

test("each refusal names its tender and writes nothing", async () => {
  const card = await makeCard(t, A, gift, { balance: 4000 });
  const blocked = await makeCard(t, A, gift, { balance: 5000, status: "blocked" });
  const storeCredit = await makeCard(t, A, credit, { balance: 5000 });
  const usd = await makeCard(t, A, dollars, { balance: 5000 });
  const other = await makeCard(t, B, theirs, { balance: 5000 });
  const cases: [unknown[], number, string, string][] = [
    [
      [{ type: "CASH", amount: 1000 }, { type: "giftCard", number: blocked.number, amount: 4000 }],
      409,
      "instrument-blocked",
      "tenders.1.number",
    ],
    [
      [{ type: "giftCard", number: other.number, amount: 5000 }],
      404,
      "not-found",
      "tenders.0.number",
    ],
    [
      [{ type: "giftCard", number: storeCredit.number, amount: 5000 }],
      409,
      "wrong-instrument-type",
      "tenders.0.number",
    ],
    [
      [{ type: "giftCard", number: usd.number, amount: 5000 }],
      422,
      "validation",
      "tenders.0.number",
    ],
    [
      [
        { type: "giftCard", number: card.number, amount: 3000 },
        { type: "giftCard", number: card.number, amount: 2000 },
      ],
      409,
      "insufficient-funds",
      "tenders.1.amount",
    ],
    [[{ type: "giftCard", amount: 5000 }], 422, "validation", "tenders.0.number"],
    [[{ type: "giftCard", number: card.number, amount: 0 }], 422, "validation", "tenders.0.amount"],
    [[{ type: "CASH", number: card.number, amount: 5000 }], 422, "validation", "tenders.0.number"],
  ];
  for (const [tenders, status, type, field] of cases) {
    const before = await written();
    const res = await sell(saleBody(tenders), `refused-${receipts}`);
    assert.equal(res.status, status, `${type}: ${JSON.stringify(res.json)}`);
    assert.ok(res.json.type.endsWith(`/${type}`), res.json.type);
    assert.equal(res.json.errors[0].field, field, JSON.stringify(res.json));
    assert.equal(await written(), before, `${type} wrote nothing`);
  }
  const paid = await sell(
    saleBody([{ type: "storeCredit", number: storeCredit.number, amount: 5000 }]),
    "credit-1",
  );
  assert.equal(paid.status, 201, JSON.stringify(paid.json));
  assert.equal(paid.json.cards[0].balance, 0);
});

test("20 concurrent sales paying 10.00 each from a card with 100.00: 10 are recorded, the card ends at 0", async () => {
  const card = await makeCard(t, A, gift, { balance: 10_000 });
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      sell(
        saleBody([{ type: "giftCard", number: card.number, amount: 1000 }, {
          type: "CASH",
          amount: 4000,
        }]),
        `race-${i}`,
      )),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 10);
  const refused = answers.filter((a) => a.status !== 201);
  assert.equal(refused.length, 10);
  assert.ok(refused.every((a) => a.status === 409 && a.json.type.endsWith("/insufficient-funds")));
  assert.equal(await balanceOf(card.number), 0);
});

test("sales paying from a card racing its void (at the POS, by staff): paid or written off, never both", async () => {
  const cards = await Promise.all(
    Array.from({ length: 6 }, () => makeCard(t, A, gift, { balance: 3000 })),
  );
  await Promise.all(cards.map(async (card, i) => {
    const voiding = i % 2
      ? posCall(t, A.posToken, "POST", `/instruments/${card.number}/void`, {
        body: { reason: "stolen" },
        key: `void-${card.number}`,
      }).then((r) => ({ status: r.status, writtenOff: r.json.activity?.amount as number }))
      : adminCall(t, A.ownerToken, "POST", `/instruments/${card.id}/void`, { reason: "stolen" })
        .then((r) => ({ status: r.status, writtenOff: (r.json.writtenOff ?? 0) as number }));
    const [sale, voided] = await Promise.all([
      sell(
        saleBody([{ type: "giftCard", number: card.number, amount: 2000 }, {
          type: "CASH",
          amount: 3000,
        }]),
        `void-race-${card.number}`,
      ),
      voiding,
    ]);
    assert.equal(voided.status, 200);
    if (sale.status === 201) assert.equal(voided.writtenOff, 1000);
    else {
      assert.equal(sale.status, 409);
      assert.match(sale.json.type, /\/instrument-void$/);
      assert.equal(voided.writtenOff, 3000);
    }
    assert.equal(await balanceOf(card.number), 0);
  }));
});

test("a sale paid by gift card and cash, returned in part then in full: the card is paid back first", async () => {
  const card = await makeCard(t, A, gift, { balance: 3000 });
  const body = saleBody([
    { type: "giftCard", number: card.number, amount: 3000 },
    { type: "CASH", amount: 2000 },
  ]);
  assert.equal((await sell(body, "to-return")).status, 201);
  assert.equal(await balanceOf(card.number), 0);
  const line = { originalLineIndex: 0, sku: "SKU1", quantity: 1, unitPrice: 2500 };
  const half = await giveBack({
    receiptNumber: `S-${++receipts}`,
    at: "2026-03-04T10:00:00+01:00",
    original: { receiptNumber: body.receiptNumber },
    lines: [line],
    tenders: [],
  }, "back-1");
  assert.equal(half.status, 201, JSON.stringify(half.json));
  // Half the value back, all of it onto the card: a card's money never leaves as cash first.
  assert.deepEqual(half.json.cards, [{
    tenderIndex: -1,
    type: "giftCard",
    number: card.number,
    amount: 2500,
    balance: 2500,
  }]);
  assert.deepEqual(half.json.tenders, [
    { tenderIndex: -1, type: "giftCard", amount: 2500, number: card.number },
  ]);
  const rest = await giveBack({
    receiptNumber: `S-${++receipts}`,
    at: "2026-03-04T11:00:00+01:00",
    original: { receiptNumber: body.receiptNumber },
    lines: [line],
    tenders: [],
  }, "back-2");
  assert.equal(rest.status, 201, JSON.stringify(rest.json));
  assert.deepEqual(rest.json.tenders, [
    { tenderIndex: -1, type: "giftCard", amount: 500, number: card.number },
    { tenderIndex: -1, type: "CASH", amount: 2000 },
  ]);
  assert.equal(await balanceOf(card.number), 3000, "the whole card payment is back");
  const again = await giveBack({
    receiptNumber: `S-${++receipts}`,
    at: "2026-03-04T12:00:00+01:00",
    original: { receiptNumber: body.receiptNumber },
    lines: [line],
    tenders: [],
  }, "back-3");
  assert.equal(again.status, 422, "nothing left to return");
  assert.equal(await balanceOf(card.number), 3000);
});

test("a return may name the card it refunds onto; a void paying card refuses the automatic refund", async () => {
  const paying = await makeCard(t, A, gift, { balance: 5000 });
  const body = saleBody([{ type: "giftCard", number: paying.number, amount: 5000 }]);
  assert.equal((await sell(body, "named-sale")).status, 201);
  await t.db.updateTable("instruments").set({ status: "void" }).where("id", "=", paying.id)
    .execute();
  const returnOf = (tenders: unknown[]) => ({
    receiptNumber: `S-${++receipts}`,
    at: "2026-03-04T10:00:00+01:00",
    original: { receiptNumber: body.receiptNumber },
    lines: [{ sku: "SKU1", quantity: 2, unitPrice: 2500 }],
    tenders,
  });
  const before = await written();
  const refused = await giveBack(returnOf([]), "named-1");
  assert.equal(refused.status, 409, JSON.stringify(refused.json));
  assert.match(refused.json.type, /\/instrument-void$/);
  assert.equal(refused.json.errors[0].field, "tenders.number");
  assert.equal(await written(), before);
  const fresh = await makeCard(t, A, credit, { balance: 0 });
  const named = await giveBack(
    returnOf([{ type: "storeCredit", number: fresh.number, amount: 5000 }]),
    "named-2",
  );
  assert.equal(named.status, 201, JSON.stringify(named.json));
  assert.deepEqual(
    named.json.cards.map((c: { number: string; amount: number }) => [c.number, c.amount]),
    [
      [fresh.number, 5000],
    ],
  );
  assert.equal(await balanceOf(fresh.number), 5000);
  assert.equal(await balanceOf(paying.number), 0);
});

test("a retried return refunds the card once, also when the retries race", async () => {
  const card = await makeCard(t, A, gift, { balance: 5000 });
  const body = saleBody([{ type: "giftCard", number: card.number, amount: 5000 }]);
  assert.equal((await sell(body, "retry-sale")).status, 201);
  const ret = {
    receiptNumber: `S-${++receipts}`,
    at: "2026-03-04T10:00:00+01:00",
    original: { receiptNumber: body.receiptNumber },
    lines: [{ sku: "SKU1", quantity: 2, unitPrice: 2500 }],
    tenders: [],
  };
  const answers = await Promise.all(Array.from({ length: 10 }, () => giveBack(ret, "retry-ret")));
  assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.map((a) => a.status)));
  assert.equal(new Set(answers.map((a) => JSON.stringify(a.json))).size, 1);
  assert.equal(await balanceOf(card.number), 5000);
});

Deno.test({
  name: "close",
  fn: () => t.close(),
  sanitizeOps: false,
  sanitizeResources: false,
});
