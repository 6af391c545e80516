/**
 * POST /api/pos/v1/sales end to end, on PGlite or Postgres (TEST_DATABASE_URL): the answer and
 * what it writes, idempotency (sequential and concurrent retries, a reused key), duplicate
 * receipts, points spent (insufficient, 50 concurrent redemptions), members, plain customers and
 * anonymous sales, a programme without published rules, and crash safety through the unit of
 * work's steps. The ledger invariants are asserted after every test.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { idempotencyScope } from "../../auth/pos.ts";
import { POINTS_ISSUED, POINTS_REDEEMED } from "../../ledger/accounts.ts";
import { pointsBalances } from "../../ledger/balances.ts";
import { createCustomer } from "../../members/customers.ts";
import { statisticsOf } from "../../members/statistics.ts";
import { ProgrammeCache } from "../../programme/cache.ts";
import { recordSale, SALE_STEPS, type SaleContext } from "../../sales/sale.ts";
import { SaleRequestSchema } from "../../sales/sale_json.ts";
import { createTestApp, problemOf } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { adjustPoints, assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, memberRule, posCall, publishRules, type World } from "../helpers/world.ts";

const t = await createTestApp();
const A = await buildWorld(t, {
  name: "Sales A",
  member: { number: "M1", categories: ["GOLD"] },
  settings: {
    nonLoyaltyCategoryCodes: ["CASH"],
    showKeyLineTotal: true,
    keyLineTotalReferenceMatch: "ONBO",
  },
});
/** No rules published, ever: sales still record, earning nothing. */
const N = await buildWorld(t, { name: "Sales N", member: { number: "N1" } });
await createCustomer(
  t.db,
  A.group,
  { number: "C1", name: "Cash", categories: ["CASH"] },
  A.settings,
);

await publishRules(t, A, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("shoes", {
    type: "item-points",
    params: { selector: { categories: ["SHOES"] }, pointsPerUnit: 0.5 },
  }, { priority: 20 }),
  memberRule("onbo", { type: "basic-points", params: { pointsPerUnit: 0.1 } }, {
    priority: 5,
    reference: "ONBO",
  }),
]);

let receipts = 0;
/** 12.34 of shoes and 2 × 2.50 of socks, cash: 17.34; a new receipt number each time. */
const saleBody = (extra: Record<string, unknown> = {}) => ({
  currency: "EUR",
  at: "2026-03-03T10:00:00+01:00",
  receiptNumber: `R-${++receipts}`,
  customer: { number: "M1" },
  lines: [
    { sku: "SH1", category: "SHOES", quantity: 1, unitPrice: 1234 },
    { sku: "SO1", category: "SOCKS", quantity: 2, unitPrice: 250 },
  ],
  tenders: [{ type: "CASH", amount: 1734 }],
  ...extra,
});

/** The raw answer: status, headers and the body's exact text. */
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

const count = async (table: "sales" | "ledger_transactions" | "idempotency_keys", orgId: string) =>
  Number(
    (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n"))
      .where("org_id", "=", orgId).executeTakeFirstOrThrow()).n,
  );

/** Everything a sale writes in an organization, as one comparable value. */
async function written(orgId: string) {
  const stats = await sql<{ t: string }>`select
      (select coalesce(json_agg(c order by customer_id), '[]')::text
        from customer_statistics c where org_id = ${orgId}::uuid) ||
      (select coalesce(json_agg(d order by store_id, trading_day), '[]')::text
        from store_day_statistics d where org_id = ${orgId}::uuid) ||
      (select count(*)::text from customer_visit_days where org_id = ${orgId}::uuid) ||
      (select count(*)::text from sale_lines where org_id = ${orgId}::uuid) ||
      (select count(*)::text from sale_awards where org_id = ${orgId}::uuid) ||
      (select count(*)::text from ledger_entries where org_id = ${orgId}::uuid) as t`
    .execute(t.db);
  return {
    sales: await count("sales", orgId),
    transactions: await count("ledger_transactions", orgId),
    keys: await count("idempotency_keys", orgId),
    rest: stats.rows[0].t,
  };
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

test("a member's sale: 201 with the documented answer, priced as the quote prices it", async () => {
  const body = saleBody();
  const quote = await posCall(t, A.posToken, "POST", "/quote", {
    body: { ...body, receiptNumber: undefined },
  });
  assert.equal(quote.status, 200, JSON.stringify(quote.json));
  const balanceBefore = await balanceOf(A.member!.customer.id);
  const res = await sell(body, "shape-1");
  assert.equal(res.status, 201, res.text);
  assert.equal(res.headers.get("Idempotent-Replayed"), null);
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
  assert.deepEqual(res.json.cards, []);
  assert.equal(res.json.change, 0);
  assert.equal(res.json.receiptNumber, body.receiptNumber);
  assert.equal(res.json.rulesVersion, 1);
  assert.equal(res.json.points, quote.json.points);
  assert.deepEqual(res.json.rules, quote.json.rules);
  assert.deepEqual(res.json.lines, quote.json.lines);
  assert.equal(res.json.points, 25.24); // 6.17 shoes + 17.34 basic + 1.73 onbo
  assert.equal(balanceBefore, 0, "M1's first sale");
  assert.deepEqual(res.json.customer, {
    number: "M1",
    balances: { points: 25.24 },
    keyLineTotal: 1.73,
  });

  const sale = await t.db.selectFrom("sales").selectAll().where("id", "=", res.json.id)
    .executeTakeFirstOrThrow();
  assert.equal(sale.kind, "sale");
  assert.equal(sale.trading_day, "2026-03-03");
  assert.equal(sale.total, 1734);
  assert.equal(sale.points, 2524);
  assert.equal(sale.member, true);
  assert.equal(sale.customer_id, A.member!.customer.id);
  assert.equal(sale.rules_version, 1);
  assert.deepEqual(sale.tenders, [{ type: "CASH", amount: 1734 }]);
  const lines = await t.db.selectFrom("sale_lines").select(["index", "net", "points"])
    .where("sale_id", "=", sale.id).orderBy("index").execute();
  assert.deepEqual(lines, [
    { index: 0, net: 1234, points: Math.round(res.json.lines[0].points * 100) },
    { index: 1, net: 500, points: Math.round(res.json.lines[1].points * 100) },
  ]);
  // The attribution a return reverses from: per rule, the rows sum to the rule's points.
  const awards = await t.db.selectFrom("sale_awards").selectAll().where("sale_id", "=", sale.id)
    .execute();
  for (const r of res.json.rules) {
    const rows = awards.filter((a) => a.rule_id === r.id);
    assert.equal(rows.reduce((s, a) => s + a.points, 0), Math.round(r.points * 100), r.id);
    assert.ok(rows.every((a) => a.reference === r.reference && a.type === r.type));
  }
  // One ledger transaction: per rule, the customer's entry and the programme's.
  const txs = await t.db.selectFrom("ledger_transactions").selectAll()
    .where("sale_id", "=", sale.id).execute();
  assert.equal(txs.length, 1);
  assert.equal(txs[0].reference, "SALE");
  assert.equal(txs[0].pos_id, A.pos.id);
  assert.equal(new Date(txs[0].at).toISOString(), "2026-03-03T09:00:00.000Z");
  const entries = await t.db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select(["a.code", "e.amount", "e.reference", "e.rule_id"])
    .where("e.transaction_id", "=", txs[0].id).orderBy("e.id").execute();
  assert.deepEqual(
    entries.filter((e) => e.code === "POINTS").map((e) => [e.rule_id, e.amount, e.reference]),
    [["shoes", 617, "SALE"], ["basic", 1734, "SALE"], ["onbo", 173, "ONBO"]],
  );
  assert.ok(entries.filter((e) => e.code !== "POINTS").every((e) => e.code === POINTS_ISSUED));
  const stats = (await statisticsOf(t.db, [A.member!.customer.id])).get(A.member!.customer.id)!;
  assert.ok(stats.salesCount >= 1 && stats.spend >= 1734);
});

test("a retry with the same key and body: the first answer byte for byte, nothing written", async () => {
  const body = saleBody();
  const first = await sell(body, "retry-1");
  assert.equal(first.status, 201, first.text);
  const before = await written(A.org.id);
  // Same body, keys in another order: the same request.
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  for (const b of [body, reordered]) {
    const again = await sell(b, "retry-1");
    assert.equal(again.status, 201);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  }
  assert.deepEqual(await written(A.org.id), before);
});

test("50 concurrent requests with one key: one sale, one ledger transaction, 50 identical answers", async () => {
  const body = saleBody();
  const before = await written(A.org.id);
  const answers = await Promise.all(Array.from({ length: 50 }, () => sell(body, "burst-1")));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
  assert.equal(new Set(answers.map((a) => a.text)).size, 1);
  assert.equal(answers.filter((a) => a.headers.get("Idempotent-Replayed") === null).length, 1);
  const after = await written(A.org.id);
  assert.equal(after.sales, before.sales + 1);
  assert.equal(after.transactions, before.transactions + 1);
  assert.equal(after.keys, before.keys + 1);
  const sales = await t.db.selectFrom("sales").select("id")
    .where("receipt_number", "=", body.receiptNumber).where("pos_id", "=", A.pos.id).execute();
  assert.equal(sales.length, 1);
});

test("the same key with another body: 422 idempotency-key-reused, nothing written", async () => {
  const first = await sell(saleBody(), "reused-1");
  assert.equal(first.status, 201);
  const before = await written(A.org.id);
  const res = await sell(saleBody(), "reused-1");
  assert.equal(res.status, 422);
  assert.match(res.headers.get("Content-Type")!, /application\/problem\+json/);
  assert.equal(res.json.type, "https://loyalty-edge.dev/problems/idempotency-key-reused");
  assert.deepEqual(await written(A.org.id), before);
});

test("a second sale with the receipt number at the same POS: 409 duplicate-receipt", async () => {
  const body = saleBody();
  assert.equal((await sell(body, "receipt-1")).status, 201);
  const before = await written(A.org.id);
  const res = await sell({ ...body, tenders: [{ type: "CARD", amount: 1734 }] }, "receipt-2");
  assert.equal(res.status, 409, res.text);
  assert.equal(res.json.type, "https://loyalty-edge.dev/problems/duplicate-receipt");
  assert.deepEqual(res.json.errors, [{
    field: "receiptNumber",
    message: "already used at this POS",
  }]);
  assert.deepEqual(await written(A.org.id), before, "the refused key is not stored either");
  // Another POS may use the same receipt number.
  const other = await buildWorld(t, { name: "Sales A2", member: { number: "M1" } });
  assert.equal((await sell(body, "receipt-1", other)).status, 201);
});

test("spending points: taken from the balance first, valued by pointValue; more than it → 409", async () => {
  const member = await createCustomer(
    t.db,
    A.group,
    { name: "Pia Points", categories: ["GOLD"] },
    A.settings,
  );
  const id = member.customer.id;
  await adjustPoints(t.db, A, id, 500);
  const before = await written(A.org.id);
  // 6 points against 5: refused although the sale itself would earn 25 points.
  const tooMuch = saleBody({
    customer: { number: member.customer.number },
    tenders: [{ type: "CASH", amount: 1728 }, { type: "points", points: 6 }],
  });
  const refused = await sell(tooMuch, "spend-1");
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/insufficient-points");
  assert.deepEqual(refused.json.errors, [{
    field: "tenders.1.points",
    message: "more than the balance",
  }]);
  assert.deepEqual(await written(A.org.id), before, "nothing written, the key stays free");
  assert.equal(await balanceOf(id), 500);

  const ok = await sell({
    ...tooMuch,
    tenders: [{ type: "CASH", amount: 1729 }, { type: "points", points: 5 }],
  }, "spend-1");
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.customer.balances.points, 5 - 5 + ok.json.points);
  const sale = await t.db.selectFrom("sales").select(["points_redeemed", "points"])
    .where("id", "=", ok.json.id).executeTakeFirstOrThrow();
  assert.equal(sale.points_redeemed, 500);
  const redeemed = await t.db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .innerJoin("ledger_transactions as x", "x.id", "e.transaction_id")
    .select(["a.code", "e.amount"]).where("x.sale_id", "=", ok.json.id)
    .where("a.code", "in", ["POINTS", POINTS_REDEEMED]).orderBy("e.id").limit(2).execute();
  assert.deepEqual(redeemed, [{ code: "POINTS", amount: -500 }, {
    code: POINTS_REDEEMED,
    amount: 500,
  }]);
});

test("a points tender: 422 without a member, for a fraction of a minor unit, or typed as money", async () => {
  const before = await written(A.org.id);
  const cases: [Record<string, unknown>, string][] = [
    [{ customer: undefined, tenders: [{ type: "points", points: 1 }] }, "tenders.0.points"],
    [{ customer: { number: "C1" }, tenders: [{ type: "points", points: 1 }] }, "tenders.0.points"],
    [{ tenders: [{ type: "points", points: 0.5 }] }, "tenders.0.points"],
    [{ tenders: [{ type: "POINTS", amount: 100 }] }, "tenders.0.type"],
    [{ tenders: [{ type: "points", amount: 100 }] }, "tenders.0.points"],
    [{ tenders: [{ type: "points", points: 1.234 }] }, "tenders.0.points"],
    [{ at: undefined }, "at"],
    [{ receiptNumber: "" }, "receiptNumber"],
  ];
  for (const [change, field] of cases) {
    const res = await sell(saleBody(change), `bad-${field}-${JSON.stringify(change)}`);
    assert.equal(res.status, 422, `${JSON.stringify(change)}: ${res.text}`);
    assert.ok(
      res.json.errors.some((e: { field: string }) => e.field === field),
      `${JSON.stringify(change)}: ${res.text}`,
    );
  }
  const noKey = await posCall(t, A.posToken, "POST", "/sales", { body: saleBody() });
  assert.equal(noKey.status, 422);
  assert.equal((await problemOf(noKey)).errors[0].field, "idempotency-key");
  assert.deepEqual(await written(A.org.id), before);
});

test("50 concurrent redemptions on a balance for 10: exactly 10 succeed, balance 0", async () => {
  const member =
    (await createCustomer(t.db, N.group, { name: "Rae Redeem", categories: ["GOLD"] }, N.settings))
      .customer;
  await adjustPoints(t.db, N, member.id, 10_000);
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    sell(
      {
        ...saleBody({ customer: { number: member.number }, receiptNumber: `RED-${i}` }),
        lines: [{ sku: "X", category: "X", quantity: 1, unitPrice: 10 }],
        tenders: [{ type: "points", points: 10 }],
      },
      `redeem-${i}`,
      N,
    )));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 10, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 409).length, 40);
  assert.ok(
    answers.filter((a) => a.status === 409).every((a) =>
      a.json.type.endsWith("/insufficient-points")
    ),
  );
  assert.equal(await balanceOf(member.id), 0);
  const sales = await t.db.selectFrom("sales").select("points_redeemed")
    .where("customer_id", "=", member.id).execute();
  assert.equal(sales.length, 10);
  const stats = (await statisticsOf(t.db, [member.id])).get(member.id)!;
  assert.equal(stats.salesCount, 10);
});

test("anonymous and plain customers: recorded, earn nothing, non-member in the store's day", async () => {
  const day = () =>
    t.db.selectFrom("store_day_statistics").selectAll().where("store_id", "=", A.store.id)
      .where("trading_day", "=", "2026-04-01").executeTakeFirst();
  const at = "2026-04-01T12:00:00+02:00";
  const anonymous = await sell(saleBody({ at, customer: undefined }), "anon-1");
  assert.equal(anonymous.status, 201, anonymous.text);
  assert.equal(anonymous.json.points, 0);
  assert.deepEqual(anonymous.json.rules, []);
  assert.equal(anonymous.json.customer, null);
  const plain = await sell(saleBody({ at, customer: { number: "C1" } }), "plain-1");
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.json.points, 0);
  assert.deepEqual(plain.json.customer, { number: "C1", balances: { points: 0 }, keyLineTotal: 0 });
  const row = await day();
  assert.equal(row?.non_member_count, 2);
  assert.equal(row?.non_member_total, 2 * 1734);
  assert.equal(row?.member_count, 0);
  const c1 = await t.db.selectFrom("customers").select("id").where("number", "=", "C1")
    .where("group_id", "=", A.group.id).executeTakeFirstOrThrow();
  assert.equal(
    await t.db.selectFrom("customer_statistics").selectAll().where("customer_id", "=", c1.id)
      .executeTakeFirst(),
    undefined,
    "no member statistics for a plain customer",
  );
  assert.equal(
    await t.db.selectFrom("ledger_transactions").select("id").where("sale_id", "=", plain.json.id)
      .executeTakeFirst(),
    undefined,
    "no value moved: no ledger transaction",
  );
});

test("a programme without published rules: the sale records with 0 points, rulesVersion null", async () => {
  const res = await sell(saleBody({ customer: { number: "N1" } }), "none-1", N);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.rulesVersion, null);
  assert.equal(res.json.points, 0);
  assert.deepEqual(res.json.customer, { number: "N1", balances: { points: 0 } });
  const sale = await t.db.selectFrom("sales").selectAll().where("id", "=", res.json.id)
    .executeTakeFirstOrThrow();
  assert.equal(sale.rules_version, null);
  assert.equal(sale.member, true);
  const stats = (await statisticsOf(t.db, [N.member!.customer.id])).get(N.member!.customer.id)!;
  assert.equal(stats.visits, 1);
});

test("crash safety: a sale failing after its entries were written leaves nothing", async () => {
  const ctx: SaleContext = {
    programmes: new ProgrammeCache(t.db),
    programme: { group: A.group, settings: { ...A.settings, pointValue: 1 } },
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
  const request = SaleRequestSchema.parse(saleBody());
  const before = await written(A.org.id);
  const crash = new Error("the process died here");
  // After the ledger posting, before the statistics.
  await assert.rejects(
    recordSale(t.db, ctx, request, {
      ...SALE_STEPS,
      post: async (tx, sale, id) => {
        const posted = await SALE_STEPS.post(tx, sale, id);
        assert.ok(
          await tx.selectFrom("ledger_transactions").select("id").where("sale_id", "=", id)
            .executeTakeFirst(),
          "the entries were written in the transaction",
        );
        void posted;
        throw crash;
      },
    }),
    crash,
  );
  assert.deepEqual(await written(A.org.id), before);
  // After the statistics, before the answer is stored.
  await assert.rejects(
    recordSale(t.db, ctx, request, {
      ...SALE_STEPS,
      statistics: async (tx, sale) => {
        await SALE_STEPS.statistics(tx, sale);
        throw crash;
      },
    }),
    crash,
  );
  assert.deepEqual(await written(A.org.id), before);
  assert.equal(
    await t.db.selectFrom("sales").select("id").where("receipt_number", "=", request.receiptNumber)
      .where("pos_id", "=", A.pos.id).executeTakeFirst(),
    undefined,
  );
  // The key was not used up: the sale goes through with it afterwards.
  const done = await recordSale(t.db, ctx, request);
  assert.equal(done.replayed, false);
  assert.equal((await written(A.org.id)).sales, before.sales + 1);
});

Deno.test("close the test app", async () => {
  await t.close();
});
