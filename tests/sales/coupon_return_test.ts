/**
 * Coupon uses on a full return (series `fullReturnRestoresUses`), end to end on PGlite or
 * Postgres (TEST_DATABASE_URL): the return that completes the full return of a sale gives its
 * coupons their use back; a partial return, an expired coupon and a series without the option
 * do not; retries of the return restore once. Also the series API's field (on create and PATCH)
 * and a return's value with the coupon's money off apportioned as the sale recorded it.
 */
import assert from "node:assert/strict";
import type { CouponBenefitInput } from "../../instruments/coupons.ts";
import { CODE_ALPHABET } from "../../instruments/numbers.ts";
import { createSeries } from "../../instruments/series.ts";
import { adminCall, createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { generateInstruments } from "../helpers/instruments.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, posCall } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Coupon returns", member: { number: "M1" } });

let prefixes = 0;
/** A coupon giving 5.00 off, single use, from a series with the option as given: its code. */
async function aCoupon(fullReturnRestoresUses: boolean, maxUses = 1): Promise<string> {
  const n = prefixes++;
  const benefit: CouponBenefitInput = { kind: "amountOff", amount: 500 };
  const series = await createSeries(t.db, w.group, {
    name: `Returnable ${n}`,
    type: "coupon",
    prefix: `R${CODE_ALPHABET[n]}`,
    currency: "EUR",
    initialValue: 0,
    expiryDays: 365,
    maxUses,
    benefit,
    fullReturnRestoresUses,
  }, w.owner);
  return (await generateInstruments(t.db, series, 1, w.owner))[0].number;
}
const uses = async (code: string) =>
  (await t.db.selectFrom("instruments").select("uses").where("number", "=", code)
    .executeTakeFirstOrThrow()).uses;

let receipts = 0;
/** Two lines: 3 × 10.00 and 1 × 20.00, less the coupons; paid in cash. */
const saleBody = (coupons: string[]) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `CR-${++receipts}`,
  customer: { number: "M1" },
  lines: [
    { sku: "A", category: "GOODS", quantity: 3, unitPrice: 1000 },
    { sku: "B", category: "GOODS", quantity: 1, unitPrice: 2000 },
  ],
  coupons,
  tenders: [{ type: "CASH", amount: 5000 - 500 * coupons.length }],
});
const returnBody = (original: string, lines: { sku: string; quantity: number }[]) => ({
  receiptNumber: `CR-${++receipts}`,
  at: "2026-03-04T10:00:00+01:00",
  original: { receiptNumber: original },
  lines: lines.map((l) => ({ ...l, unitPrice: l.sku === "A" ? 1000 : 2000 })),
  tenders: [],
});
async function sell(coupons: string[]) {
  const body = saleBody(coupons);
  const res = await posCall(t, w.posToken, "POST", "/sales", { body, key: body.receiptNumber });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}
const giveBack = (body: { receiptNumber: string }, key = body.receiptNumber) =>
  posCall(t, w.posToken, "POST", "/returns", { body, key });
const ALL = [{ sku: "A", quantity: 3 }, { sku: "B", quantity: 1 }];

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

test("a full return gives the coupon its use back; a partial one does not", async () => {
  const code = await aCoupon(true);
  const sale = await sell([code]);
  assert.equal(await uses(code), 1);
  const part = await giveBack(returnBody(sale.receiptNumber, [{ sku: "A", quantity: 1 }]));
  assert.equal(part.status, 201, JSON.stringify(part.json));
  assert.deepEqual(part.json.couponsRestored, []);
  assert.equal(await uses(code), 1);
  const rest = await giveBack(
    returnBody(sale.receiptNumber, [{ sku: "A", quantity: 2 }, { sku: "B", quantity: 1 }]),
  );
  assert.equal(rest.status, 201, JSON.stringify(rest.json));
  assert.deepEqual(rest.json.couponsRestored, [{ code, usesLeft: 1 }]);
  assert.equal(await uses(code), 0);
  // The coupon's 5.00 came off the lines as the sale apportioned it: 45.00 paid back in all.
  assert.equal(part.json.value + rest.json.value, 4500);
  const redemption = await t.db.selectFrom("coupon_redemptions").select("restored_by")
    .where("sale_id", "=", sale.id).executeTakeFirstOrThrow();
  assert.equal(redemption.restored_by, rest.json.id);
  // Usable again.
  const again = await sell([code]);
  assert.deepEqual(again.coupons.map((c: { code: string }) => c.code), [code]);
});

test("a series without the option keeps the use spent", async () => {
  const code = await aCoupon(false);
  const sale = await sell([code]);
  const back = await giveBack(returnBody(sale.receiptNumber, ALL));
  assert.equal(back.status, 201, JSON.stringify(back.json));
  assert.deepEqual(back.json.couponsRestored, []);
  assert.equal(await uses(code), 1);
});

test("a coupon that has expired since the sale keeps its use spent", async () => {
  const code = await aCoupon(true);
  const kept = await aCoupon(true, 3);
  const sale = await sell([code, kept]);
  await t.db.updateTable("instruments").set({ expires_at: "2026-03-03T12:00:00Z" })
    .where("number", "=", code).execute();
  const back = await giveBack(returnBody(sale.receiptNumber, ALL));
  assert.equal(back.status, 201, JSON.stringify(back.json));
  assert.deepEqual(back.json.couponsRestored, [{ code: kept, usesLeft: 3 }]);
  assert.equal(await uses(code), 1);
  assert.equal(await uses(kept), 0);
});

test("retries of the full return (one key, racing) restore the use once", async () => {
  const code = await aCoupon(true, 2);
  const sale = await sell([code]);
  await sell([code]);
  assert.equal(await uses(code), 2);
  const body = returnBody(sale.receiptNumber, ALL);
  const answers = await Promise.all(Array.from({ length: 6 }, () => giveBack(body, "restore")));
  assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.map((a) => a.status)));
  assert.equal(new Set(answers.map((a) => JSON.stringify(a.json))).size, 1);
  assert.deepEqual(answers[0].json.couponsRestored, [{ code, usesLeft: 1 }]);
  assert.equal(await uses(code), 1);
});

test("the series API takes and answers fullReturnRestoresUses, for coupons only", async () => {
  const path = `/merchant-groups/${w.group.id}/series`;
  const made = await adminCall(t, w.ownerToken, "POST", path, {
    name: "API coupons",
    type: "coupon",
    prefix: "RAPX",
    currency: "EUR",
    benefit: { kind: "amountOff", amount: 100 },
    fullReturnRestoresUses: true,
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  assert.equal(made.json.fullReturnRestoresUses, true);
  const plain = await adminCall(t, w.ownerToken, "POST", path, {
    name: "API coupons 2",
    type: "coupon",
    prefix: "RAPY",
    currency: "EUR",
    benefit: { kind: "amountOff", amount: 100 },
  });
  assert.equal(plain.json.fullReturnRestoresUses, false);
  const cards = await adminCall(t, w.ownerToken, "POST", path, {
    name: "Gift",
    type: "gift-card",
    prefix: "777",
    currency: "EUR",
    fullReturnRestoresUses: true,
  });
  assert.equal(cards.status, 422, JSON.stringify(cards.json));
  assert.equal(cards.json.errors[0].field, "fullReturnRestoresUses");

  // Changed later: PATCH the series, audited; a gift card series has no uses to give back.
  const changed = await adminCall(t, w.ownerToken, "PATCH", `/series/${plain.json.id}`, {
    fullReturnRestoresUses: true,
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  assert.equal(changed.json.fullReturnRestoresUses, true);
  const audit = await t.db.selectFrom("audit_log").select(["before", "after"])
    .where("entity_id", "=", plain.json.id).where("action", "=", "update")
    .executeTakeFirstOrThrow();
  assert.deepEqual(audit, {
    before: { fullReturnRestoresUses: false },
    after: { fullReturnRestoresUses: true },
  });
  const giftSeries = await adminCall(t, w.ownerToken, "POST", path, {
    name: "Gift 2",
    type: "gift-card",
    prefix: "778",
    currency: "EUR",
  });
  const refused = await adminCall(t, w.ownerToken, "PATCH", `/series/${giftSeries.json.id}`, {
    fullReturnRestoresUses: true,
  });
  assert.equal(refused.status, 422, JSON.stringify(refused.json));
  assert.equal(refused.json.errors[0].field, "fullReturnRestoresUses");
});

test("a series changed after the sale: the return follows the series as it is then", async () => {
  const code = await aCoupon(false);
  const sale = await sell([code]);
  const { series_id } = await t.db.selectFrom("instruments").select("series_id")
    .where("number", "=", code).executeTakeFirstOrThrow();
  const changed = await adminCall(t, w.ownerToken, "PATCH", `/series/${series_id}`, {
    fullReturnRestoresUses: true,
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  const back = await giveBack(returnBody(sale.receiptNumber, ALL));
  assert.deepEqual(back.json.couponsRestored, [{ code, usesLeft: 1 }]);
  assert.equal(await uses(code), 0);
});

Deno.test({
  name: "close",
  fn: () => t.close(),
  sanitizeOps: false,
  sanitizeResources: false,
});
