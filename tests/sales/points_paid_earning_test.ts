/**
 * The setting `pointsEarnedOnPartPaidWithPoints` at the POS, on PGlite or Postgres
 * (TEST_DATABASE_URL): off (the default), the part of a sale paid with points earns nothing —
 * the quote and the sale agree — and a return takes back exactly what the sale earned; on, the
 * whole sale earns as before.
 */
import assert from "node:assert/strict";
import { pointsBalances } from "../../ledger/balances.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, memberRule, posCall, publishRules, type World } from "../helpers/world.ts";

const t = await createTestApp();
const off = await buildWorld(t, { name: "Points off", member: { categories: ["GOLD"] } });
const on = await buildWorld(t, {
  name: "Points on",
  member: { categories: ["GOLD"] },
  settings: { pointsEarnedOnPartPaidWithPoints: true },
});
const RULES = [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("shoes", {
    type: "item-points",
    params: { selector: { categories: ["SHOES"] }, pointsPerUnit: 1 },
  }),
  memberRule("visit", { type: "basket-points", params: { points: 10 } }),
];
for (const w of [off, on]) await publishRules(t, w, RULES);

/** Gives the world's member 2000 points to spend. */
async function fund(w: World) {
  await adjustPoints(t.db, w, w.member!.customer.id, 200000);
}
for (const w of [off, on]) await fund(w);

const balance = async (w: World) =>
  (await pointsBalances(t.db, [w.member!.customer.id])).get(w.member!.customer.id)! / 100;

let receipts = 0;
/** 3 shoes and 1 pair of socks at 10.00: 40.00, of which 15.00 paid with 1500 points. */
const LINES = [
  { sku: "SH", category: "SHOES", quantity: 3, unitPrice: 1000 },
  { sku: "SO", category: "SOCKS", quantity: 1, unitPrice: 1000 },
];
const saleBody = (w: World) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `S-${++receipts}`,
  customer: { number: w.member!.customer.number },
  lines: LINES,
  tenders: [{ type: "CASH", amount: 2500 }, { type: "points", points: 1500 }],
});

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

/** The quote of the basket for the world's member, paid by `tenders`. */
const quote = (w: World, tenders: unknown[]) =>
  posCall(t, w.posToken, "POST", "/quote", {
    body: {
      currency: "EUR",
      at: "2026-03-03T10:00:00+01:00",
      customer: { number: w.member!.customer.number },
      lines: LINES,
      tenders,
    },
  });

const byRule = (answer: { rules: { id: string; points: number }[] }) =>
  Object.fromEntries(answer.rules.map((r) => [r.id, r.points]));

test("off: the quote earns on the 25.00 not paid with points, apportioned by line", async () => {
  const res = await quote(off, [{ type: "CASH", amount: 2500 }, { type: "POINTS", amount: 1500 }]);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  // The base: 30.00 − 11.25 of shoes, 10.00 − 3.75 of socks. Fixed basket points are not per unit.
  assert.deepEqual(byRule(res.json), { basic: 25, shoes: 18.75, visit: 10 });
  assert.equal(res.json.points, 53.75);
  assert.equal(res.json.total, 4000, "the total is what was sold");
  const cash = await quote(off, [{ type: "CASH", amount: 4000 }]);
  assert.equal(cash.json.points, 80, "paid in money, the whole sale earns");
});

test("on: the quote and the sale earn on the whole sale, as before the setting", async () => {
  const quoted = await quote(on, [{ type: "CASH", amount: 2500 }, {
    type: "POINTS",
    amount: 1500,
  }]);
  assert.deepEqual(byRule(quoted.json), { basic: 40, shoes: 30, visit: 10 });
  const before = await balance(on);
  const body = saleBody(on);
  const sale = await posCall(t, on.posToken, "POST", "/sales", { body, key: body.receiptNumber });
  assert.equal(sale.status, 201, JSON.stringify(sale.json));
  assert.equal(sale.json.points, 80);
  assert.equal(await balance(on), before - 1500 + 80);
  // A full return takes back the 80 and gives back the 1500 spent.
  const back = await posCall(t, on.posToken, "POST", "/returns", {
    body: {
      receiptNumber: `R-${++receipts}`,
      at: "2026-03-04T10:00:00+01:00",
      original: { receiptNumber: body.receiptNumber },
      lines: LINES.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      // No tender named: the value goes back the way the sale was paid.
      tenders: [],
    },
    key: `r-${receipts}`,
  });
  assert.equal(back.status, 201, JSON.stringify(back.json));
  assert.deepEqual([back.json.pointsReversed, back.json.pointsRefunded], [80, 1500]);
  assert.equal(await balance(on), before);
});

test("off: the sale earns what the quote said; returns take back exactly that, never more", async () => {
  const before = await balance(off);
  const body = saleBody(off);
  const sale = await posCall(t, off.posToken, "POST", "/sales", { body, key: body.receiptNumber });
  assert.equal(sale.status, 201, JSON.stringify(sale.json));
  assert.deepEqual(byRule(sale.json), { basic: 25, shoes: 18.75, visit: 10 });
  assert.equal(sale.json.points, 53.75);
  assert.deepEqual(sale.json.lines, [
    { index: 0, points: 18.75 + 18.75 + 7.5 },
    { index: 1, points: 6.25 + 2.5 },
  ]);
  assert.equal(await balance(off), before - 1500 + 53.75);

  const giveBack = async (lines: unknown[]) => {
    const res = await posCall(t, off.posToken, "POST", "/returns", {
      body: {
        receiptNumber: `R-${++receipts}`,
        at: "2026-03-04T10:00:00+01:00",
        original: { receiptNumber: body.receiptNumber },
        lines,
        tenders: [],
      },
      key: `r-${receipts}`,
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json;
  };
  // The socks: what their line earned (basic 6.25, its share of the visit 2.50).
  const socks = await giveBack([{ sku: "SO", quantity: 1, unitPrice: 1000 }]);
  assert.equal(socks.pointsReversed, 8.75);
  assert.equal(socks.pointsRefunded, 375);
  const shoes = await giveBack([{ sku: "SH", quantity: 3, unitPrice: 1000 }]);
  assert.equal(shoes.pointsReversed, 45);
  assert.equal(shoes.pointsRefunded, 1125);
  assert.equal(await balance(off), before, "a full return restores the balance exactly");
});

Deno.test({
  name: "close",
  fn: () => t.close(),
  sanitizeOps: false,
  sanitizeResources: false,
});
