/**
 * Coupons at the POS end to end, on PGlite or Postgres (TEST_DATABASE_URL): validation with
 * every reason, the quote, sales that use coupons (the discount the rules see, bonus points in
 * the ledger), concurrent sales racing for the last uses, retries redeeming once, refusals
 * writing nothing, another programme's coupon. The ledger invariants are asserted after every
 * test.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { idempotencyScope } from "../../auth/pos.ts";
import { priceBasket } from "../../earning/quote.ts";
import { type CouponBenefitInput } from "../../instruments/coupons.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import { CODE_ALPHABET } from "../../instruments/numbers.ts";
import { createSeries, type Series } from "../../instruments/series.ts";
import { pointsBalances } from "../../ledger/balances.ts";
import { createCustomer } from "../../members/customers.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { recordSale, SALE_STEPS, type SaleContext } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, memberRule, posCall, publishRules, type World } from "../helpers/world.ts";

const t = await createTestApp();
const A = await buildWorld(t, {
  name: "Coupons A",
  member: { number: "M1", categories: ["GOLD"] },
  settings: { nonLoyaltyCategoryCodes: ["CASH"] },
});
/** Another programme: its coupons are unknown to A's POS, and A's to its. */
const B = await buildWorld(t, { name: "Coupons B", member: { number: "M1" } });
await createCustomer(
  t.db,
  A.group,
  { number: "C1", name: "Cash", categories: ["CASH"] },
  A.settings,
);
await publishRules(t, A, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
]);

let prefixes = 0;
/** A coupon series of `w` giving `benefit` (single use unless `maxUses` says). */
async function couponSeries(
  w: World,
  benefit: CouponBenefitInput,
  extra: { maxUses?: number | null; startsAt?: string; currency?: string } = {},
): Promise<Series> {
  const n = prefixes++;
  return await createSeries(t.db, w.group, {
    name: `Coupons ${n}`,
    type: "coupon",
    prefix: `T${CODE_ALPHABET[Math.floor(n / 31)]}${CODE_ALPHABET[n % 31]}`,
    currency: extra.currency ?? "EUR",
    initialValue: 0,
    expiryDays: 365,
    benefit,
    ...extra,
  }, w.owner);
}

/** `count` coupons of the series, generated as the console generates them: their codes. */
async function codesOf(series: Series, count = 1): Promise<string[]> {
  const gen = await startGeneration(t.db, series, {
    count,
    key: crypto.randomUUID(),
    actor: A.owner,
  });
  await runGeneration(t.db, gen.id);
  return (await t.db.selectFrom("instruments").select("number")
    .where("generation_id", "=", gen.id).orderBy("number").execute()).map((r) => r.number);
}

/** One coupon giving `benefit`: its code. */
const aCoupon = async (benefit: CouponBenefitInput, extra = {}, w = A) =>
  (await codesOf(await couponSeries(w, benefit, extra)))[0];

const instrument = (code: string) =>
  t.db.selectFrom("instruments").selectAll().where("number", "=", code).executeTakeFirstOrThrow();

let receipts = 0;
/** 12.34 of shoes and 2 × 2.50 of socks, cash: 17.34; a new receipt number each time. */
const saleBody = (extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `C-${++receipts}`,
  customer: { number: "M1" },
  lines: [
    { sku: "SH1", category: "SHOES", quantity: 1, unitPrice: 1234 },
    { sku: "SO1", category: "SOCKS", quantity: 2, unitPrice: 250 },
  ],
  tenders: [{ type: "CASH", amount: 1734 }],
  ...extra,
});
const basketOf = (extra: Record<string, unknown> = {}) => {
  const { receiptNumber: _, ...basket } = saleBody(extra);
  return basket;
};

/** The raw answer of a sale: status, headers and the body's exact text. */
async function sell(body: unknown, key: string, w: World = A) {
  const res = await t.request("/api/pos/v1/sales", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${w.posToken}`,
      "Content-Type": "application/json",
      "Idempotency-Key": key,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text) };
}

const validate = (code: string, body?: unknown, w: World = A) =>
  posCall(t, w.posToken, "POST", `/coupons/${code}/validate`, body === undefined ? {} : { body });

/** Everything a sale or a coupon's use writes in an organization, as one comparable value. */
async function written(orgId: string) {
  const { rows } = await sql<{ t: string }>`select concat_ws('/',
      (select count(*) from sales where org_id = ${orgId}::uuid),
      (select count(*) from sale_lines where org_id = ${orgId}::uuid),
      (select count(*) from sale_awards where org_id = ${orgId}::uuid),
      (select count(*) from ledger_transactions where org_id = ${orgId}::uuid),
      (select count(*) from ledger_entries where org_id = ${orgId}::uuid),
      (select count(*) from idempotency_keys where org_id = ${orgId}::uuid),
      (select count(*) from coupon_redemptions where org_id = ${orgId}::uuid),
      (select coalesce(sum(uses), 0) from instruments where org_id = ${orgId}::uuid),
      (select coalesce(json_agg(c order by customer_id), '[]')::text
        from customer_statistics c where org_id = ${orgId}::uuid),
      (select coalesce(json_agg(d order by store_id, trading_day), '[]')::text
        from store_day_statistics d where org_id = ${orgId}::uuid)) as t`.execute(t.db);
  return rows[0].t;
}

const balanceOf = async (customerId: string) =>
  (await pointsBalances(t.db, [customerId])).get(customerId)!;

/** A test, then the ledger invariants. */
function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

test("validate: what a valid coupon gives to a basket, and without one its state alone", async () => {
  const code = await aCoupon({ kind: "amountOff", amount: 500 }, { maxUses: 3 });
  const before = await written(A.org.id);
  const res = await validate(code, { basket: basketOf() });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const coupon = await instrument(code);
  assert.deepEqual(res.json, {
    code,
    valid: true,
    currency: "EUR",
    benefit: { kind: "amountOff", amount: 500 },
    discount: 500,
    points: 0,
    usesLeft: 3,
    expiresAt: coupon.expires_at!.toISOString(),
    startsAt: null,
  });
  // Any case, no body or an empty one: judged alone.
  for (const alone of [await validate(code.toLowerCase()), await validate(code, {})]) {
    assert.equal(alone.status, 200, JSON.stringify(alone.json));
    assert.deepEqual(
      [alone.json.code, alone.json.valid, alone.json.discount, alone.json.points],
      [code, true, null, null],
    );
  }
  const percent = await aCoupon({
    kind: "percentOff",
    percent: 12.5,
    selector: { categories: ["SHOES"] },
  });
  const shoes = await validate(percent, { basket: basketOf() });
  assert.deepEqual([shoes.json.valid, shoes.json.discount, shoes.json.usesLeft], [true, 154, 1]);
  const unlimited = await aCoupon({ kind: "bonusPoints", points: 2.5 }, { maxUses: null });
  const points = await validate(unlimited, { basket: basketOf() });
  assert.deepEqual(
    [points.json.valid, points.json.discount, points.json.points, points.json.usesLeft],
    [true, 0, 2.5, null],
  );
  // The basket's lines may leave out their category when the catalogue has it: unknown here.
  const bad = await validate(code, {
    basket: basketOf({ lines: [{ sku: "NOPE", quantity: 1, unitPrice: 1 }] }),
  });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.errors[0].field, "basket.lines.0.category");
  assert.equal(await written(A.org.id), before, "nothing written, no use taken");
});

test("validate: every reason a coupon gives nothing", async () => {
  const amount = { kind: "amountOff", amount: 100 } as const;
  const usedUp = await aCoupon(amount);
  await t.db.updateTable("instruments").set({ uses: 1 }).where("number", "=", usedUp).execute();
  const expired = await aCoupon(amount);
  await t.db.updateTable("instruments").set({ expires_at: "2026-03-02T12:00:00Z" })
    .where("number", "=", expired).execute();
  const early = await aCoupon(amount, { startsAt: "2026-03-03T10:00:01+01:00" });
  const blocked = await aCoupon(amount);
  const voided = await aCoupon(amount);
  const inactive = await aCoupon(amount);
  for (const [code, status] of [[blocked, "blocked"], [voided, "void"], [inactive, "inactive"]]) {
    await t.db.updateTable("instruments").set({ status: status as "void" })
      .where("number", "=", code).execute();
  }
  const hats = await aCoupon({
    kind: "percentOff",
    percent: 10,
    selector: { categories: ["HATS"] },
  });
  const pounds = await aCoupon(amount, { currency: "GBP" });
  const points = await aCoupon({ kind: "bonusPoints", points: 10 });
  const cases: [string, Record<string, unknown>, string][] = [
    [usedUp, {}, "used-up"],
    [expired, {}, "expired"],
    [early, {}, "not-yet-active"],
    [blocked, {}, "blocked"],
    [voided, {}, "void"],
    [inactive, {}, "inactive"],
    [hats, {}, "not-for-this-basket"],
    [pounds, {}, "not-for-this-basket"],
    [points, { customer: undefined }, "member-required"],
    [points, { customer: { number: "C1" } }, "member-required"],
  ];
  const before = await written(A.org.id);
  for (const [code, change, reason] of cases) {
    const res = await validate(code, { basket: basketOf(change) });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(
      [res.json.valid, res.json.reason, res.json.discount, res.json.points],
      [false, reason, 0, 0],
      `${reason}: ${JSON.stringify(res.json)}`,
    );
  }
  // A bonus-points coupon gives its points to an empty basket of a member.
  const empty = await validate(points, { basket: basketOf({ lines: [] }) });
  assert.deepEqual([empty.json.valid, empty.json.points], [true, 10]);
  // The basket's time is judged: the start has come a second later.
  const later = await validate(early, { basket: basketOf({ at: "2026-03-03T10:00:01+01:00" }) });
  assert.equal(later.json.valid, true);
  assert.equal(await written(A.org.id), before);
});

test("validate: unknown codes and another programme's coupons are 404, as is an unknown customer", async () => {
  const mine = await aCoupon({ kind: "amountOff", amount: 100 });
  const theirs = await aCoupon({ kind: "amountOff", amount: 100 }, {}, B);
  for (const [code, w] of [[theirs, A], [mine, B], ["NOSUCHCODE234", A], ["a-b", A]] as const) {
    const res = await validate(code, { basket: basketOf() }, w);
    assert.equal(res.status, 404, `${code}: ${JSON.stringify(res.json)}`);
    assert.match(res.type, /application\/problem\+json/);
  }
  const stranger = await validate(mine, { basket: basketOf({ customer: { number: "NOBODY" } }) });
  assert.equal(stranger.status, 404);
  assert.equal(stranger.json.title, "No such customer");
});

test("the quote shows the coupons' effect and redeems nothing", async () => {
  const five = await aCoupon({ kind: "amountOff", amount: 500 });
  const bonus = await aCoupon({ kind: "bonusPoints", points: 3.5 });
  const before = await written(A.org.id);
  const res = await posCall(t, A.posToken, "POST", "/quote", {
    body: basketOf({ coupons: [five.toLowerCase(), bonus] }),
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.total, 1234, "17.34 less 5.00");
  assert.equal(res.json.points, 12.34, "points on what is paid");
  assert.deepEqual(res.json.coupons, [
    { code: five, discount: 500, points: 0 },
    { code: bonus, discount: 0, points: 3.5 },
  ]);
  assert.equal(await written(A.org.id), before);
  const twice = await posCall(t, A.posToken, "POST", "/quote", {
    body: basketOf({ coupons: [five, five.toLowerCase()] }),
  });
  assert.equal(twice.status, 422);
  assert.deepEqual(twice.json.errors.map((e: { field: string }) => e.field), ["coupons.1"]);
});

test("a sale with coupons: the discount the rules see, bonus points posted, one use each", async () => {
  const five = await aCoupon({ kind: "amountOff", amount: 500 });
  const shoes = await aCoupon({
    kind: "percentOff",
    percent: 10,
    selector: { categories: ["SHOES"] },
  });
  const bonus = await aCoupon({ kind: "bonusPoints", points: 2.25 });
  const member = A.member!.customer.id;
  const balance = await balanceOf(member);
  const res = await sell(saleBody({ coupons: [five, shoes, bonus] }), "sale-1");
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(Object.keys(res.json), [
    "id",
    "receiptNumber",
    "currency",
    "rulesVersion",
    "points",
    "rules",
    "lines",
    "coupons",
    "customer",
    "cards",
    "change",
  ]);
  assert.deepEqual(res.json.coupons, [
    { code: five, discount: 500, points: 0 },
    { code: shoes, discount: 123, points: 0 },
    { code: bonus, discount: 0, points: 2.25 },
  ]);
  // 17.34 − 5.00 − 1.23 = 11.11 paid: 11.11 points by the rule, plus 2.25 from the coupon.
  assert.equal(res.json.points, 11.11);
  assert.equal(res.json.customer.balances.points, (balance + 1111 + 225) / 100);
  const sale = await t.db.selectFrom("sales").selectAll().where("id", "=", res.json.id)
    .executeTakeFirstOrThrow();
  assert.equal(sale.total, 1111);
  assert.equal(sale.points, 1111, "the sale's points are the rules'");
  const nets = await t.db.selectFrom("sale_lines").select("net").where("sale_id", "=", sale.id)
    .orderBy("index").execute();
  assert.equal(nets.reduce((s, l) => s + l.net, 0), 1111, "the lines' nets are what was paid");
  for (const code of [five, shoes, bonus]) assert.equal((await instrument(code)).uses, 1, code);
  const redemptions = await t.db.selectFrom("coupon_redemptions as r")
    .innerJoin("instruments as i", "i.id", "r.instrument_id")
    .select(["i.number", "r.discount", "r.points", "r.at"]).where("r.sale_id", "=", sale.id)
    .orderBy("r.discount", "desc").orderBy("r.points").execute();
  assert.deepEqual(redemptions.map((r) => [r.number, r.discount, r.points]), [
    [five, 500, 0],
    [shoes, 123, 0],
    [bonus, 0, 225],
  ]);
  assert.equal(redemptions[0].at.toISOString(), "2026-03-03T09:00:00.000Z");
  // One ledger transaction: the rule's points and the coupon's, each with its reference.
  const entries = await t.db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_transactions as x", "x.id", "e.transaction_id")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select(["x.id", "a.code", "e.amount", "e.reference"]).where("x.sale_id", "=", sale.id)
    .orderBy("e.id").execute();
  assert.equal(new Set(entries.map((e) => e.id)).size, 1);
  assert.deepEqual(entries.map((e) => [e.code, e.amount, e.reference]), [
    ["POINTS", 1111, "SALE"],
    ["POINTS_ISSUED", -1111, "SALE"],
    ["POINTS", 225, "COUPON"],
    ["POINTS_ISSUED", -225, "COUPON"],
  ]);
  // Used up now: the next sale with the amount coupon is refused.
  const again = await sell(saleBody({ coupons: [five] }), "sale-2");
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.type, "https://loyalty-edge.dev/problems/coupon-used-up");
  assert.equal(again.json.reason, "used-up");
  assert.deepEqual(again.json.errors, [{ field: "coupons.0", message: "the coupon is used up" }]);
});

test("bonus points count in the key line total when it matches COUPON", async () => {
  const K = await buildWorld(t, {
    name: "Coupons K",
    member: { number: "K1" },
    settings: { showKeyLineTotal: true, keyLineTotalReferenceMatch: "COUPON" },
  });
  const code = await aCoupon({ kind: "bonusPoints", points: 7.5 }, {}, K);
  const res = await sell(saleBody({ customer: { number: "K1" }, coupons: [code] }), "key-1", K);
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.json.customer, {
    number: "K1",
    balances: { points: 7.5 },
    keyLineTotal: 7.5,
  });
});

test("a coupon that cannot be used writes nothing of the sale", async () => {
  const good = await aCoupon({ kind: "amountOff", amount: 100 });
  const expired = await aCoupon({ kind: "amountOff", amount: 100 });
  await t.db.updateTable("instruments").set({ expires_at: "2026-01-01T00:00:00Z" })
    .where("number", "=", expired).execute();
  const points = await aCoupon({ kind: "bonusPoints", points: 1 });
  const theirs = await aCoupon({ kind: "amountOff", amount: 100 }, {}, B);
  const before = await written(A.org.id);
  const cases: [Record<string, unknown>, number, string, string][] = [
    [{ coupons: [good, expired] }, 409, "coupon-expired", "coupons.1"],
    [{ coupons: [good, "NOSUCHCODE234"] }, 404, "not-found", "coupons.1"],
    [{ coupons: [theirs] }, 404, "not-found", "coupons.0"],
    [{ coupons: [good, points], customer: undefined }, 422, "validation", "coupons.1"],
    [{ coupons: [points], customer: { number: "C1" } }, 422, "validation", "coupons.0"],
    [{ coupons: [good, good] }, 422, "validation", "coupons.1"],
    [{ coupons: Array(11).fill(good) }, 422, "validation", "coupons"],
  ];
  for (const [i, [change, status, type, field]] of cases.entries()) {
    const res = await sell(saleBody(change), `refused-${i}`);
    assert.equal(res.status, status, `${JSON.stringify(change)}: ${res.text}`);
    assert.equal(res.json.type, `https://loyalty-edge.dev/problems/${type}`);
    assert.ok(
      res.json.errors.some((e: { field: string }) => e.field === field),
      `${JSON.stringify(change)}: ${res.text}`,
    );
  }
  assert.equal(await written(A.org.id), before);
  assert.equal((await instrument(good)).uses, 0);
});

test("a coupon blocked after the sale was priced: refused inside the transaction, nothing written", async () => {
  const code = await aCoupon({ kind: "amountOff", amount: 100 });
  const ctx: SaleContext = {
    programmes: new ProgrammeCache(t.db),
    programme: { group: A.group, settings: A.settings },
    till: {
      storeNumber: A.store.number,
      posNumber: A.pos.number,
      timezone: A.store.timezone,
      storeId: A.store.id,
      posId: A.pos.id,
    },
    idempotency: {
      scope: idempotencyScope({ kind: "pos", jti: "x", org: A.org.id, pos: A.pos.id }),
      key: "blocked-1",
    },
  };
  const request = SaleRequestSchema.parse(saleBody({ coupons: [code] }));
  const before = await written(A.org.id);
  await assert.rejects(
    recordSale(t.db, ctx, request, {
      ...SALE_STEPS,
      // Staff block the coupon between the pricing and the sale's transaction.
      price: async (...args) => {
        const priced = await priceBasket(...args);
        await t.db.updateTable("instruments").set({ status: "blocked" })
          .where("number", "=", code).execute();
        return priced;
      },
    }),
    (e: { slug?: string; extra?: { errors?: { field: string }[] } }) =>
      e.slug === "coupon-blocked" && e.extra?.errors?.[0].field === "coupons.0",
  );
  assert.equal(await written(A.org.id), before);
});

test("crash safety: a sale failing after its coupon was used gives the use back", async () => {
  const code = await aCoupon({ kind: "bonusPoints", points: 1 });
  const ctx: SaleContext = {
    programmes: new ProgrammeCache(t.db),
    programme: { group: A.group, settings: A.settings },
    till: {
      storeNumber: A.store.number,
      posNumber: A.pos.number,
      timezone: A.store.timezone,
      storeId: A.store.id,
      posId: A.pos.id,
    },
    idempotency: {
      scope: idempotencyScope({ kind: "pos", jti: "x", org: A.org.id, pos: A.pos.id }),
      key: "crash-1",
    },
  };
  const request = SaleRequestSchema.parse(saleBody({ coupons: [code] }));
  const before = await written(A.org.id);
  const crash = new Error("the process died here");
  await assert.rejects(
    recordSale(t.db, ctx, request, {
      ...SALE_STEPS,
      statistics: async (tx, sale) => {
        await SALE_STEPS.statistics(tx, sale);
        assert.equal(
          (await tx.selectFrom("instruments").select("uses").where("number", "=", code)
            .executeTakeFirstOrThrow()).uses,
          1,
          "used in the transaction",
        );
        throw crash;
      },
    }),
    crash,
  );
  assert.equal(await written(A.org.id), before);
  const done = await recordSale(t.db, ctx, request);
  assert.equal(JSON.parse(done.text).coupons[0].code, code);
  assert.equal((await instrument(code)).uses, 1);
});

test("a coupon with one use redeemed by two concurrent sales: one succeeds", async () => {
  const code = await aCoupon({ kind: "amountOff", amount: 300 });
  const bodies = [0, 1].map(() => saleBody({ customer: undefined, coupons: [code] }));
  const answers = await Promise.all(bodies.map((body, i) => sell(body, `race-${i}`)));
  assert.deepEqual(
    answers.map((a) => a.status).sort(),
    [201, 409],
    answers.map((a) => a.text).join("\n"),
  );
  const won = answers.findIndex((a) => a.status === 201);
  const refused = answers[1 - won];
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/coupon-used-up");
  assert.equal(refused.json.errors[0].field, "coupons.0");
  const coupon = await instrument(code);
  assert.equal(coupon.uses, 1);
  const redemptions = await t.db.selectFrom("coupon_redemptions").select("sale_id")
    .where("instrument_id", "=", coupon.id).execute();
  assert.deepEqual(redemptions.map((r) => r.sale_id), [answers[won].json.id]);
  const recorded = await t.db.selectFrom("sales").select("receipt_number")
    .where("receipt_number", "in", bodies.map((b) => b.receiptNumber))
    .where("pos_id", "=", A.pos.id).execute();
  assert.deepEqual(recorded.map((r) => r.receipt_number), [bodies[won].receiptNumber]);
});

test("a coupon with three uses and five concurrent sales: three succeed", async () => {
  const code = await aCoupon({ kind: "bonusPoints", points: 1 }, { maxUses: 3 });
  const member = A.member!.customer.id;
  const balance = await balanceOf(member);
  const answers = await Promise.all(
    Array.from({ length: 5 }, (_, i) => sell(saleBody({ coupons: [code] }), `five-${i}`)),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 3, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 409).length, 2);
  assert.ok(answers.filter((a) => a.status === 409).every((a) => a.json.reason === "used-up"));
  const coupon = await instrument(code);
  assert.equal(coupon.uses, 3);
  const redemptions = await t.db.selectFrom("coupon_redemptions").select("sale_id")
    .where("instrument_id", "=", coupon.id).execute();
  assert.deepEqual(
    new Set(redemptions.map((r) => r.sale_id)),
    new Set(answers.filter((a) => a.status === 201).map((a) => a.json.id)),
  );
  // Each winner earned its 17.34 and the coupon's point.
  assert.equal(await balanceOf(member), balance + 3 * (1734 + 100));
  const validated = await validate(code);
  assert.deepEqual([validated.json.valid, validated.json.reason, validated.json.usesLeft], [
    false,
    "used-up",
    0,
  ]);
});

test("retries of a sale with a coupon, one after another and at once: redeemed once", async () => {
  const code = await aCoupon({ kind: "bonusPoints", points: 5 }, { maxUses: 10 });
  const body = saleBody({ coupons: [code] });
  const first = await sell(body, "retry-coupon-1");
  assert.equal(first.status, 201, first.text);
  const before = await written(A.org.id);
  const sequential = await sell(body, "retry-coupon-1");
  const burst = await Promise.all(Array.from({ length: 10 }, () => sell(body, "retry-coupon-1")));
  for (const again of [sequential, ...burst]) {
    assert.equal(again.status, 201);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  }
  assert.equal(await written(A.org.id), before);
  assert.equal((await instrument(code)).uses, 1);

  // A burst of a new sale's first request and its retries: one sale, one use.
  const body2 = saleBody({ coupons: [code] });
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => sell(body2, "retry-coupon-2")),
  );
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
  assert.equal(new Set(answers.map((a) => a.text)).size, 1);
  assert.equal((await instrument(code)).uses, 2);
  const coupon = await instrument(code);
  const redemptions = await t.db.selectFrom("coupon_redemptions").select("sale_id")
    .where("instrument_id", "=", coupon.id).execute();
  assert.deepEqual(
    new Set(redemptions.map((r) => r.sale_id)),
    new Set([first.json.id, answers[0].json.id]),
  );
});

Deno.test("close the test app", async () => {
  await t.close();
});
