/**
 * Loading a gift card or store credit from the console's API: idempotent on its key, posted to
 * the ledger, audited, refused without writing for a bad amount, a card not active, a coupon
 * and another tenant's card.
 */
import assert from "node:assert/strict";
import {
  adminCall,
  createTestApp,
  ORIGIN,
  problemOf,
  signIn,
  type TestApp,
} from "../helpers/app.ts";
import { assertLiabilityMatches, makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld } from "../helpers/world.ts";
import { checkLedger, isSound } from "../../ledger/check.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, {
  name: "Acme",
  staff: { "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const gift = await makeSeries(t, A);
const credit = await makeSeries(t, A, { type: "store-credit" });
const coupons = await makeSeries(t, A, { type: "coupon" });
let n = 0;
const key = () => `load-${++n}`;

const load = (id: string, body: unknown, k: string | null = key(), token = A.ownerToken) =>
  adminCall(t, token, "POST", `/instruments/${id}/loads`, body, k ? { "Idempotency-Key": k } : {});
const balanceOf = async (id: string) =>
  (await adminCall(t, A.ownerToken, "GET", `/instruments/${id}`)).json.balance;
const auditCount = async (id: string) =>
  Number(
    (await t.db.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n"))
      .where("entity_id", "=", id).where("action", "=", "load").executeTakeFirstOrThrow()).n,
  );

Deno.test("a load adds to the balance, is on the history and the ledger, audited once", async () => {
  const card = await makeCard(t, A, gift, { status: "active", balance: 1000 });
  const answer = await load(card.id, { amount: 2550, reason: "customer paid at the desk" });
  assert.equal(answer.status, 201, JSON.stringify(answer.json));
  assert.equal(answer.json.balance, 3550);
  assert.equal(answer.json.activity.type, "load");
  assert.equal(answer.json.activity.amount, 2550);
  assert.equal(await balanceOf(card.id), 3550);
  const history = await adminCall(t, A.ownerToken, "GET", `/instruments/${card.id}/activities`);
  const line = history.json.items[0];
  assert.equal(line.kind, "load");
  assert.equal(line.reason, "customer paid at the desk");
  assert.equal(await auditCount(card.id), 1);
  await assertLiabilityMatches(t, [gift.id]);
  assert.ok(isSound(await checkLedger(t.db)), "every balance matches its entries");
});

Deno.test("a retry with the same key loads once and answers the same; another body is a 422", async () => {
  const card = await makeCard(t, A, credit, { status: "active" });
  const k = key();
  const first = await load(card.id, { amount: 500, reason: "refund as credit" }, k);
  const again = await load(card.id, { amount: 500, reason: "refund as credit" }, k);
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  assert.deepEqual(again.json, first.json);
  const other = await load(card.id, { amount: 600, reason: "refund as credit" }, k);
  assert.equal(other.status, 422);
  assert.equal((await problemOf(other)).errors[0].field, "Idempotency-Key");
  assert.equal(await balanceOf(card.id), 500);
  assert.equal(await auditCount(card.id), 1);
});

Deno.test("eight loads at once with their own keys all land; eight with one key land once", async () => {
  const card = await makeCard(t, A, gift, { status: "active" });
  const distinct = await Promise.all(
    Array.from({ length: 8 }, () => load(card.id, { amount: 100, reason: "batch" })),
  );
  assert.deepEqual(distinct.map((a) => a.status), Array(8).fill(201));
  assert.equal(await balanceOf(card.id), 800);
  const balances = distinct.map((a) => a.json.balance).sort((a, b) => a - b);
  assert.deepEqual(balances, [100, 200, 300, 400, 500, 600, 700, 800], "each saw the last");
  const k = key();
  const same = await Promise.all(
    Array.from({ length: 8 }, () => load(card.id, { amount: 100, reason: "retried" }, k)),
  );
  assert.deepEqual(same.map((a) => a.status), Array(8).fill(201));
  assert.equal(await balanceOf(card.id), 900);
  assert.equal(same.filter((a) => a.headers.get("Idempotent-Replayed") === "true").length, 7);
  assert.equal(await auditCount(card.id), 9);
  await assertLiabilityMatches(t, [gift.id]);
});

Deno.test("the attacker's loads are refused and write nothing", async () => {
  const card = await makeCard(t, A, gift, { status: "active", balance: 700 });
  const cases: [string, Awaited<ReturnType<typeof load>>, number, string][] = [
    ["negative", await load(card.id, { amount: -500, reason: "x" }), 422, "amount"],
    ["zero", await load(card.id, { amount: 0, reason: "x" }), 422, "amount"],
    ["a fraction", await load(card.id, { amount: 10.5, reason: "x" }), 422, "amount"],
    ["beyond any card", await load(card.id, { amount: 1e13, reason: "x" }), 422, "amount"],
    ["as text", await load(card.id, { amount: "500", reason: "x" }), 422, "amount"],
    ["no reason", await load(card.id, { amount: 500, reason: " " }), 422, "reason"],
    [
      "another currency",
      await load(card.id, { amount: 500, currency: "USD", reason: "x" }),
      422,
      "currency",
    ],
    ["no key", await load(card.id, { amount: 500, reason: "x" }, null), 422, "Idempotency-Key"],
    [
      "another field",
      await load(card.id, { amount: 500, reason: "x", balance: 1e9 }),
      422,
      "balance",
    ],
  ];
  for (const [what, answer, status, field] of cases) {
    assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.json)}`);
    const fields = (await problemOf(answer)).errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes(field), `${what}: ${fields}`);
  }
  const otherTenant = await load(
    card.id,
    { amount: 500, reason: "x" },
    key(),
    B.staff["b-admin"].token,
  );
  assert.equal(otherTenant.status, 404);
  const support = await load(
    card.id,
    { amount: 500, reason: "x" },
    key(),
    A.staff["a-support"].token,
  );
  assert.equal(support.status, 403);
  assert.equal(await balanceOf(card.id), 700);
  assert.equal(await auditCount(card.id), 0);
});

Deno.test("a voided, blocked or inactive card and a coupon are refused with 409", async () => {
  for (const status of ["void", "blocked", "inactive"] as const) {
    const card = await makeCard(t, A, gift, { status });
    const answer = await load(card.id, { amount: 500, reason: "x" });
    assert.equal(answer.status, 409, `${status}: ${JSON.stringify(answer.json)}`);
    assert.equal(await balanceOf(card.id), 0);
    assert.equal(await auditCount(card.id), 0);
  }
  // Coupons are generated active (they are not activated by staff).
  const coupon = await makeCard(t, A, coupons, { status: "inactive" });
  await t.db.updateTable("instruments").set({ status: "active" }).where("id", "=", coupon.id)
    .execute();
  const answer = await load(coupon.id, { amount: 500, reason: "x" });
  assert.equal(answer.status, 409);
  assert.match((await problemOf(answer)).type, /wrong-instrument-type/);
});

Deno.test("console: the load form loads once per drawn form; voiding asks for a confirmation first", async () => {
  const card = await makeCard(t, A, gift, { status: "active", balance: 1200 });
  const { cookie, csrf } = await signIn(t, A.staff["a-marketing"].email);
  const post = (path: string, fields: Record<string, string>) =>
    t.request(`/console/instruments/${card.id}/${path}`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }),
    });
  const page = await (await t.request(`/console/instruments/${card.id}`, {
    headers: { Cookie: cookie },
  })).text();
  const drawn = /name="idempotencyKey" value="([^"]+)"/.exec(page)![1];
  const refused = await post("loads", { idempotencyKey: drawn, amount: "-5", reason: "x" });
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /id="load-amount-error" class="field-error">an amount/);
  const fields = { idempotencyKey: drawn, amount: "12.50", reason: "paid in cash" };
  const first = await post("loads", fields);
  const resent = await post("loads", fields);
  assert.deepEqual([first.status, resent.status], [303, 303]);
  assert.equal(await balanceOf(card.id), 2450, "the same form twice loads once");

  const asked = await post("moves", { move: "void", reason: "fraud" });
  assert.equal(asked.status, 200);
  const html = await asked.text();
  assert.match(html, /<h2 id="confirm-heading"[^>]*>Void /);
  assert.match(html, /Its balance of €24\.50 is written off as breakage\./);
  assert.equal(
    (await adminCall(t, A.ownerToken, "GET", `/instruments/${card.id}`)).json.status,
    "active",
  );
  const voided = await post("moves", { move: "void", reason: "fraud", confirm: "yes" });
  assert.equal(voided.status, 303);
  assert.equal(
    (await adminCall(t, A.ownerToken, "GET", `/instruments/${card.id}`)).json.status,
    "void",
  );
});

Deno.test({ name: "close the test app", fn: () => t.close() });
