/**
 * POST /api/pos/v1/returns end to end, on PGlite or Postgres (TEST_DATABASE_URL): seed 004's
 * return semantics with the setting on and off, partial returns that never exceed what a line
 * earned, a full return that restores the balance exactly (earned and spent points), a return
 * without the receipt, idempotency and concurrency. The ledger invariants after every test.
 */
import assert from "node:assert/strict";
import { pointsBalances } from "../../ledger/balances.ts";
import { createCustomer } from "../../members/customers.ts";
import { statisticsOf } from "../../members/statistics.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import {
  buildWorld,
  configure,
  memberRule,
  posCall,
  publishRules,
  type World,
} from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, {
  name: "Returns",
  member: { number: "M0", categories: ["GOLD"] },
  settings: { showKeyLineTotal: true, keyLineTotalReferenceMatch: "ONBO" },
});
await publishRules(t, w, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("shoes", { type: "item-points", params: { selector: { skus: ["SH"] }, perItem: 5 } }, {
    priority: 20,
  }),
  memberRule("onbo", { type: "basic-points", params: { pointsPerUnit: 0.1 } }, {
    priority: 5,
    reference: "ONBO",
  }),
]);

let members = 0;
let receipts = 0;
async function newMember() {
  const number = `M${++members}`;
  const made = await createCustomer(t.db, w.group, {
    number,
    name: `Member ${number}`,
    categories: ["GOLD"],
  }, w.settings);
  return { number, id: made.customer.id };
}
const balance = async (id: string) => (await pointsBalances(t.db, [id])).get(id)! / 100;

/** 3 shoes at 10.00 and 1 sock at 10.00: basic 40, shoes 15, onbo 4 = 59 points. */
const saleBody = (number: string, extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `S-${++receipts}`,
  customer: { number },
  lines: [
    { sku: "SH", category: "SHOES", quantity: 3, unitPrice: 1000 },
    { sku: "SO", category: "SOCKS", quantity: 1, unitPrice: 1000 },
  ],
  tenders: [{ type: "CASH", amount: 4000 }],
  ...extra,
});

async function sell(body: ReturnType<typeof saleBody>, world: World = w) {
  const res = await posCall(t, world.posToken, "POST", "/sales", {
    body,
    key: `k-${body.receiptNumber}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

const returnBody = (
  original: string | null,
  lines: unknown[],
  extra: Record<string, unknown> = {},
) => ({
  receiptNumber: `R-${++receipts}`,
  at: "2026-03-04T10:00:00+01:00",
  ...(original ? { original: { receiptNumber: original } } : {}),
  lines,
  tenders: [],
  ...extra,
});

function giveBack(body: unknown, key = `k-${(body as { receiptNumber: string }).receiptNumber}`) {
  return posCall(t, w.posToken, "POST", "/returns", { body, key });
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

test("with the setting on, a partial return takes back every point the returned unit earned", async () => {
  const m = await newMember();
  const sale = await sell(saleBody(m.number));
  assert.equal(sale.points, 59);
  const res = await giveBack(
    returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 1, unitPrice: 1000 }]),
  );
  assert.equal(res.status, 201, JSON.stringify(res.json));
  // One shoe: basic 10, shoes 5, onbo 1.
  assert.equal(res.json.pointsReversed, 16);
  assert.deepEqual(res.json.lines, [{ index: 0, originalLineIndex: 0, pointsReversed: 16 }]);
  assert.equal(res.json.value, 1000);
  assert.deepEqual(res.json.customer, { number: m.number, balances: { points: 43 } });
  assert.equal(await balance(m.id), 43);
  // The ONBO points go back under their own reference: the key line total follows.
  const lookup = await posCall(t, w.posToken, "GET", `/customers/lookup?number=${m.number}`);
  if (lookup.json.customer.keyLineTotal !== undefined) {
    assert.equal(lookup.json.customer.keyLineTotal, 3);
  }
});

test("with the setting off, only the basic points of the returned value come back", async () => {
  await configure(t, w.ownerToken, w.group.id, {
    originalReceiptReturnReturnsOriginalPoints: false,
  });
  try {
    const m = await newMember();
    const sale = await sell(saleBody(m.number));
    const res = await giveBack(
      returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 1, unitPrice: 1000 }]),
    );
    assert.equal(res.status, 201, JSON.stringify(res.json));
    // basic 10 and the ONBO basic point; the shoes' item points stay.
    assert.equal(res.json.pointsReversed, 11);
    assert.equal(await balance(m.id), 48);
  } finally {
    await configure(t, w.ownerToken, w.group.id, {
      originalReceiptReturnReturnsOriginalPoints: true,
    });
  }
});

test("three partial returns of one unit never exceed what the line earned", async () => {
  const m = await newMember();
  // 3 shoes at 3.33 each: basic 9.99 + onbo 0.99 + shoes 15 on that line.
  const sale = await sell(saleBody(m.number, {
    lines: [{ sku: "SH", category: "SHOES", quantity: 3, unitPrice: 333 }],
    tenders: [{ type: "CASH", amount: 999 }],
  }));
  const earned = sale.points;
  const taken: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await giveBack(
      returnBody(sale.receiptNumber, [{
        originalLineIndex: 0,
        sku: "SH",
        quantity: 1,
        unitPrice: 333,
      }]),
    );
    assert.equal(res.status, 201, JSON.stringify(res.json));
    taken.push(res.json.pointsReversed);
  }
  assert.equal(Math.round(taken.reduce((a, b) => a + b, 0) * 100), Math.round(earned * 100));
  assert.equal(await balance(m.id), 0);
  const more = await giveBack(
    returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 1, unitPrice: 333 }]),
  );
  assert.equal(more.status, 422);
  assert.equal(more.json.errors[0].field, "lines.0.sku");
});

test("a full return of a sale that earned and spent points leaves the balance as before", async () => {
  const m = await newMember();
  await adjustPoints(t.db, w, m.id, 20000);
  const sale = await sell(saleBody(m.number, {
    tenders: [{ type: "CASH", amount: 3850 }, { type: "points", points: 150 }],
  }));
  assert.equal(await balance(m.id), 200 - 150 + sale.points);
  const partial = await giveBack(
    returnBody(sale.receiptNumber, [{ sku: "SO", quantity: 1, unitPrice: 1000 }]),
  );
  assert.equal(partial.status, 201, JSON.stringify(partial.json));
  // A quarter of the value: a quarter of the 150 spent points come back, the rest in cash.
  assert.equal(partial.json.pointsRefunded, 37.5);
  assert.deepEqual(partial.json.tenders, [
    { tenderIndex: -1, type: "points", amount: 37, points: 37.5 },
    { tenderIndex: -1, type: "CASH", amount: 963 },
  ]);
  const rest = await giveBack(
    returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 3, unitPrice: 1000 }]),
  );
  assert.equal(rest.status, 201, JSON.stringify(rest.json));
  assert.equal(rest.json.pointsRefunded, 112.5);
  assert.deepEqual(rest.json.tenders, [
    { tenderIndex: -1, type: "points", amount: 113, points: 112.5 },
    { tenderIndex: -1, type: "CASH", amount: 2887 },
  ]);
  assert.equal(await balance(m.id), 200);
  const hundredths = (p: number) => Math.round(p * 100);
  assert.equal(
    hundredths(partial.json.pointsReversed) + hundredths(rest.json.pointsReversed),
    hundredths(sale.points),
  );
});

test("a return may take the balance below zero: the member owes points", async () => {
  const m = await newMember();
  const first = await sell(saleBody(m.number));
  // The points are gone (taken off by staff) when the goods come back.
  await adjustPoints(t.db, w, m.id, -5900);
  const back = await giveBack(returnBody(first.receiptNumber, [
    { sku: "SH", quantity: 3, unitPrice: 1000 },
    { sku: "SO", quantity: 1, unitPrice: 1000 },
  ]));
  assert.equal(back.status, 201, JSON.stringify(back.json));
  assert.equal(back.json.pointsReversed, 59);
  assert.equal(back.json.customer.balances.points, -59);
});

test("without the receipt: the basic points of the returned value under today's rules", async () => {
  const m = await newMember();
  await sell(saleBody(m.number));
  const res = await giveBack(
    returnBody(null, [{ sku: "SH", category: "SHOES", quantity: 2, unitPrice: 1000 }], {
      currency: "EUR",
      customer: { number: m.number },
      tenders: [{ type: "CASH", amount: 2000 }],
    }),
  );
  assert.equal(res.status, 201, JSON.stringify(res.json));
  // 20.00: basic 20 and onbo 2; the shoes' item points are not basic.
  assert.equal(res.json.pointsReversed, 22);
  assert.deepEqual(res.json.lines, [{ index: 0, originalLineIndex: null, pointsReversed: 22 }]);
  assert.equal(await balance(m.id), 59 - 22);
  const noCurrency = await giveBack(returnBody(null, [{ sku: "SH", quantity: 1, unitPrice: 1 }], {
    customer: { number: m.number },
  }));
  assert.equal(noCurrency.status, 422);
  assert.equal(noCurrency.json.errors[0].field, "currency");
});

test("returns lower the member's spend, never their visits", async () => {
  const m = await newMember();
  const sale = await sell(saleBody(m.number));
  await giveBack(returnBody(sale.receiptNumber, [{ sku: "SO", quantity: 1, unitPrice: 1000 }]));
  const stats = (await statisticsOf(t.db, [m.id])).get(m.id)!;
  assert.equal(stats.visits, 1);
  assert.equal(stats.salesCount, 1);
  assert.equal(stats.spend, 3000);
});

test("retries answer the first return byte for byte and write once; a reused key is refused", async () => {
  const m = await newMember();
  const sale = await sell(saleBody(m.number));
  const body = returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 1, unitPrice: 1000 }]);
  const raw = async () => {
    const r = await t.request("/api/pos/v1/returns", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${w.posToken}`,
        "Content-Type": "application/json",
        "Idempotency-Key": "ret-key-1",
      },
      body: JSON.stringify(body),
    });
    return { status: r.status, text: await r.text() };
  };
  const answers = await Promise.all(Array.from({ length: 20 }, raw));
  assert.ok(answers.every((a) => a.status === 201 && a.text === answers[0].text));
  assert.equal((await raw()).text, answers[0].text);
  const rows = await t.db.selectFrom("sales").select("id").where("original_sale_id", "=", sale.id)
    .execute();
  assert.equal(rows.length, 1);
  assert.equal(await balance(m.id), 43);
  const other = await giveBack(
    { ...body, lines: [{ sku: "SO", quantity: 1, unitPrice: 1000 }] },
    "ret-key-1",
  );
  assert.equal(other.status, 422);
  assert.equal(other.json.type.endsWith("idempotency-key-reused"), true);
  const sameReceipt = await giveBack({
    ...body,
    lines: [{ sku: "SO", quantity: 1, unitPrice: 1000 }],
  }, "ret-key-2");
  assert.equal(sameReceipt.status, 409);
  assert.ok(sameReceipt.json.type.endsWith("duplicate-receipt"));
});

test("10 concurrent one-unit returns of a 3-unit line: exactly 3 pass, never more points", async () => {
  const m = await newMember();
  const sale = await sell(saleBody(m.number));
  const results = await Promise.all(
    Array.from(
      { length: 10 },
      () =>
        giveBack(
          returnBody(sale.receiptNumber, [{
            originalLineIndex: 0,
            sku: "SH",
            quantity: 1,
            unitPrice: 1000,
          }]),
        ),
    ),
  );
  assert.equal(results.filter((r) => r.status === 201).length, 3);
  assert.ok(results.every((r) => r.status === 201 || r.status === 422));
  // The socks' 11 points stay.
  assert.equal(await balance(m.id), 11);
});

test("bad returns are refused and write nothing", async () => {
  const m = await newMember();
  const sale = await sell(saleBody(m.number));
  const before = await balance(m.id);
  const missing = await giveBack(returnBody("NOPE", [{ sku: "SH", quantity: 1, unitPrice: 1 }]));
  assert.equal(missing.status, 404);
  assert.equal(missing.json.errors[0].field, "original.receiptNumber");
  const tooMany = await giveBack(
    returnBody(sale.receiptNumber, [{
      originalLineIndex: 0,
      sku: "SH",
      quantity: 4,
      unitPrice: 1000,
    }]),
  );
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.json.errors[0].field, "lines.0.quantity");
  const wrongSku = await giveBack(
    returnBody(sale.receiptNumber, [{
      originalLineIndex: 1,
      sku: "SH",
      quantity: 1,
      unitPrice: 1000,
    }]),
  );
  assert.equal(wrongSku.status, 422);
  assert.equal(wrongSku.json.errors[0].field, "lines.0.sku");
  const noKey = await posCall(t, w.posToken, "POST", "/returns", {
    body: returnBody(sale.receiptNumber, [{ sku: "SH", quantity: 1, unitPrice: 1000 }]),
  });
  assert.equal(noKey.status, 422);
  assert.equal(await balance(m.id), before);
});

Deno.test("close", () => t.close());
