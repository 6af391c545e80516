/**
 * The member's profile on the admin API, the POS lookup and the console: balances from the
 * ledger, the key line total, statistics, the statement, sales and returns, adjustments. The
 * sales and returns are made through the real POS endpoints (POST /api/pos/v1/sales and
 * /returns) under the rules published below, so every figure is the one a till produces.
 */
import assert from "node:assert/strict";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { buildWorld, configure, memberRule, posCall, publishRules } from "../helpers/world.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";

const t: TestApp = await createTestApp();

const A = await buildWorld(t, {
  name: "Acme",
  member: { number: "MIA1", name: "Mia Member" },
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, {
  name: "Bolt",
  member: { number: "BOB1", name: "Bob Bolt" },
  staff: { "b-admin": "admin" },
});
const owner = A.ownerToken;
const staff = {
  admin: A.staff["a-admin"],
  marketing: A.staff["a-marketing"],
  support: A.staff["a-support"],
  other: B.staff["b-admin"],
};

/**
 * A member earns 1 point per unit of currency ("basic", reference SALE) and 0.1 point per unit
 * under reference ONBO ("onbo", the key line): a sale of 42.50 earns 42.50 + 4.25 = 46.75.
 */
await publishRules(t, A, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("onbo", { type: "basic-points", params: { pointsPerUnit: 0.1 } }, {
    priority: 5,
    reference: "ONBO",
  }),
]);

let receipts = 0;
/**
 * A sale through POST /api/pos/v1/sales at A's POS for the member numbered `number`: one line
 * for each amount (minor units), paid in cash, at `at` (default now). Answers the sale's answer.
 */
async function sell(number: string, amounts: number[] = [5000], at = new Date()) {
  const total = amounts.reduce((a, b) => a + b, 0);
  const body = {
    currency: "EUR",
    at: at.toISOString(),
    receiptNumber: `R${++receipts}`,
    customer: { number },
    lines: amounts.map((amount, i) => ({
      sku: `SKU${i}`,
      category: "GOODS",
      quantity: 1,
      unitPrice: amount,
    })),
    tenders: [{ type: "CASH", amount: total }],
  };
  const res = await posCall(t, A.posToken, "POST", "/sales", {
    body,
    key: `sale-${body.receiptNumber}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

/**
 * A return through POST /api/pos/v1/returns at A's POS of line `index` of the sale `original`
 * (its receipt number), `amount` minor units, at `at`. Answers the return's answer.
 */
async function giveBack(original: string, index: number, amount: number, at = new Date()) {
  const body = {
    receiptNumber: `R${++receipts}`,
    at: at.toISOString(),
    original: { receiptNumber: original },
    lines: [{ originalLineIndex: index, sku: `SKU${index}`, quantity: 1, unitPrice: amount }],
    tenders: [{ type: "CASH", amount }],
  };
  const res = await posCall(t, A.posToken, "POST", "/returns", {
    body,
    key: `return-${body.receiptNumber}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

/** A fresh member of A (so each test starts from a zero balance). */
let serial = 0;
async function newMember(name = `Member ${++serial}`) {
  const res = await adminCall(t, owner, "POST", `/merchant-groups/${A.group.id}/customers`, {
    name,
    categories: ["GOLD"],
  });
  assert.equal(res.status, 201);
  return res.json as { id: string; number: string };
}

async function adjust(token: string, id: string, body: unknown, key?: string) {
  const res = await t.request(`/api/admin/v1/customers/${id}/adjustments`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      ...(key ? { "Idempotency-Key": key } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

const get = async (path: string, token = owner, status = 200) => {
  const res = await adminCall(t, token, "GET", path);
  assert.equal(res.status, status, `${path}: ${JSON.stringify(res.json)}`);
  return res.json;
};

Deno.test("GET customer: balances from the ledger, statistics, key line total only when on", async () => {
  const m = await newMember();
  const fresh = await get(`/customers/${m.id}`);
  assert.deepEqual(fresh.balances, { points: 0 });
  assert.equal("keyLineTotal" in fresh, false);
  assert.deepEqual(fresh.statistics, {
    visits: 0,
    salesCount: 0,
    spend: 0,
    firstVisit: null,
    lastVisit: null,
  });
  // 42.50: basic 42.50 + onbo 4.25.
  assert.equal((await sell(m.number, [4250])).points, 46.75);
  const after = await get(`/customers/${m.id}`);
  assert.deepEqual(after.balances, { points: 46.75 });
  assert.equal("keyLineTotal" in after, false, "the setting is off");
  assert.equal("keyLineTotal" in await get(`/customers/${m.id}/statement`), false);
  assert.equal(after.statistics.visits, 1);
  assert.equal(after.statistics.salesCount, 1);
  assert.equal(after.statistics.spend, 4250);
  assert.match(after.statistics.firstVisit, /^\d{4}-\d\d-\d\dT/);

  await configure(t, owner, A.group.id, {
    showKeyLineTotal: true,
    keyLineTotalReferenceMatch: "onbo",
  });
  try {
    assert.equal((await get(`/customers/${m.id}`)).keyLineTotal, 4.25);
    assert.equal((await get(`/customers/${m.id}/statement`)).keyLineTotal, 4.25);
    const other = await newMember();
    assert.equal((await get(`/customers/${other.id}`)).keyLineTotal, 0);
  } finally {
    await configure(t, owner, A.group.id, { showKeyLineTotal: false });
  }
  await assertLedgerSound(t.db);
});

Deno.test("POS lookup answers balances, key line total (when on) and statistics", async () => {
  const m = await newMember();
  // 19.90: basic 19.90 + onbo 1.99.
  assert.equal((await sell(m.number, [1990])).points, 21.89);
  const off = await posCall(t, A.posToken, "GET", `/customers/lookup?number=${m.number}`);
  assert.equal(off.status, 200);
  assert.deepEqual(off.json.customer.balances, { points: 21.89 });
  assert.equal("keyLineTotal" in off.json.customer, false);
  assert.deepEqual(
    { ...off.json.customer.statistics, firstVisit: null, lastVisit: null },
    { visits: 1, salesCount: 1, spend: 1990, firstVisit: null, lastVisit: null },
  );
  assert.equal(off.json.customer.statistics.firstVisit, off.json.customer.statistics.lastVisit);
  assert.ok(!Number.isNaN(Date.parse(off.json.customer.statistics.lastVisit)));

  await configure(t, owner, A.group.id, {
    showKeyLineTotal: true,
    keyLineTotalReferenceMatch: "ONBO",
  });
  try {
    const on = await posCall(t, A.posToken, "GET", `/customers/lookup?card=${m.number}`);
    assert.equal(on.json.customer.keyLineTotal, 1.99);
    assert.deepEqual(on.json.customer.balances, { points: 21.89 });
    const fresh = await newMember();
    const zero = await posCall(t, A.posToken, "GET", `/customers/lookup?number=${fresh.number}`);
    assert.equal(zero.json.customer.keyLineTotal, 0);
    assert.deepEqual(zero.json.customer.balances, { points: 0 });
    assert.deepEqual(zero.json.customer.statistics, {
      visits: 0,
      salesCount: 0,
      spend: 0,
      firstVisit: null,
      lastVisit: null,
    });
  } finally {
    await configure(t, owner, A.group.id, { showKeyLineTotal: false });
  }
  await assertLedgerSound(t.db);
});

Deno.test("statement: newest first, paginated, running balances, receipt and store", async () => {
  const m = await newMember();
  // Each sale posts one entry per rule, basic first: 10.00 earns 10 + 1, 2.50 earns 2.5 + 0.25.
  await sell(m.number, [1000]);
  await sell(m.number, [250]);
  assert.equal((await adjust(owner, m.id, { points: -3.5, reason: "goodwill undo" })).status, 201);
  assert.equal((await adjust(owner, m.id, { points: 20, reason: "birthday" })).status, 201);
  const lines = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query = `limit=2${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await get(`/customers/${m.id}/statement?${query}`);
    assert.ok(page.items.length <= 2);
    lines.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3, "6 entries, 2 a page");
  assert.equal(lines.length, 6);
  assert.deepEqual(lines.map((l) => l.points), [20, -3.5, 0.25, 2.5, 1, 10]);
  assert.deepEqual(lines.map((l) => l.balance), [30.25, 10.25, 13.75, 13.5, 11, 10]);
  // Oldest to newest, each running balance is the previous one plus the entry.
  const oldest = [...lines].reverse();
  oldest.forEach((l, i) => {
    assert.equal(l.balance, Math.round(((oldest[i - 1]?.balance ?? 0) + l.points) * 100) / 100);
  });
  const first = lines[5];
  assert.equal(first.transactionReference, "SALE");
  assert.equal(first.reference, "SALE");
  assert.equal(first.ruleId, "basic");
  assert.equal(first.storeNumber, 1);
  assert.equal(first.posNumber, 1);
  assert.match(first.receiptNumber, /^R\d+$/);
  assert.equal(lines[2].reference, "ONBO");
  assert.equal(lines[2].ruleId, "onbo");
  assert.equal(lines[2].transactionReference, "SALE");
  assert.equal(lines[0].transactionReference, "ADJUST");
  assert.equal(lines[0].reason, "birthday");
  assert.equal(lines[0].actor, "owner@example.com");
  assert.equal(lines[0].receiptNumber, null);
  assert.equal(lines[0].storeNumber, null);

  const tampered = await adminCall(t, owner, "GET", `/customers/${m.id}/statement?cursor=abc`);
  assert.equal(tampered.status, 422);
  assert.equal(tampered.json.errors[0].field, "cursor");
  const badLimit = await adminCall(t, owner, "GET", `/customers/${m.id}/statement?limit=0`);
  assert.equal(badLimit.status, 422);
  assert.equal(badLimit.json.errors[0].field, "limit");
  await assertLedgerSound(t.db);
});

Deno.test("sales and returns: newest first, paginated", async () => {
  const m = await newMember();
  // 15.00 and 10.00: basic 25 + onbo 2.5; the 10.00 line comes back a minute later, with the
  // receipt: the 10 + 1 points it earned are taken back.
  const now = Date.now();
  const sold = await sell(m.number, [1500, 1000], new Date(now - 60_000));
  assert.equal(sold.points, 27.5);
  assert.equal((await giveBack(sold.receiptNumber, 1, 1000, new Date(now))).pointsReversed, 11);
  const first = await get(`/customers/${m.id}/sales?limit=1`);
  assert.equal(first.items.length, 1);
  assert.equal(first.items[0].kind, "return");
  assert.equal(first.items[0].total, 1000);
  // A return's points are the points it took back (the API: "taken back by a return").
  assert.equal(first.items[0].points, 11);
  assert.deepEqual(first.items[0].store, { number: 1, name: "Acme store" });
  assert.ok(first.nextCursor);
  const second = await get(`/customers/${m.id}/sales?limit=1&cursor=${first.nextCursor}`);
  assert.equal(second.items[0].kind, "sale");
  assert.equal(second.items[0].total, 2500);
  assert.equal(second.items[0].points, 27.5);
  assert.equal(second.items[0].currency, "EUR");
  assert.equal(second.nextCursor, null);
  assert.deepEqual((await get(`/customers/${m.id}`)).balances, { points: 16.5 });
  await assertLedgerSound(t.db);
});

Deno.test("adjustment: an ADJUST transaction, audited in the same transaction", async () => {
  const m = await newMember();
  const res = await adjust(staff.marketing.token, m.id, { points: 12.34, reason: "  lost card  " });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  assert.equal(res.json.points, 12.34);
  assert.equal(res.json.balance, 12.34);
  assert.equal(res.json.reason, "lost card");
  const tx = await t.db.selectFrom("ledger_transactions").selectAll()
    .where("id", "=", res.json.transactionId).executeTakeFirstOrThrow();
  assert.equal(tx.reference, "ADJUST");
  assert.equal(tx.staff_id, staff.marketing.id);
  assert.equal(tx.actor_label, staff.marketing.email);
  assert.equal(tx.reason, "lost card");
  const entries = await t.db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select(["e.amount", "a.code", "a.customer_id"]).where("e.transaction_id", "=", tx.id)
    .orderBy("e.amount").execute();
  assert.deepEqual(entries, [
    { amount: -1234, code: "POINTS_ADJUSTED", customer_id: null },
    { amount: 1234, code: "POINTS", customer_id: m.id },
  ]);
  const audit = await t.db.selectFrom("audit_log").selectAll()
    .where("entity", "=", "customer").where("entity_id", "=", m.id)
    .where("action", "=", "adjust-points").execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0].action, "adjust-points");
  assert.equal(audit[0].actor_id, staff.marketing.id);
  assert.deepEqual(audit[0].before, { points: 0 });
  assert.deepEqual(audit[0].after, {
    points: 12.34,
    adjustment: 12.34,
    reason: "lost card",
    transactionId: tx.id,
  });
  const admin = await adjust(staff.admin.token, m.id, { points: -2.34, reason: "typo" });
  assert.equal(admin.status, 201);
  assert.equal(admin.json.balance, 10);
  await assertLedgerSound(t.db);
});

Deno.test("adjustment: validation names the fields", async () => {
  const m = await newMember();
  const cases: [unknown, string[]][] = [
    [{ points: 0, reason: "x" }, ["points"]],
    [{ points: 1.234, reason: "x" }, ["points"]],
    [{ points: "5", reason: "x" }, ["points"]],
    [{ points: 20_000_000, reason: "x" }, ["points"]],
    [{ points: 5 }, ["reason"]],
    [{ points: 5, reason: "   " }, ["reason"]],
    [{ points: 5, reason: "x".repeat(501) }, ["reason"]],
    [{}, ["points", "reason"]],
  ];
  for (const [body, fields] of cases) {
    const res = await adjust(owner, m.id, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.deepEqual(
      [...new Set(res.json.errors.map((e: { field: string }) => e.field))].sort(),
      fields,
      JSON.stringify(body),
    );
  }
  const extra = await adjust(owner, m.id, { points: 5, reason: "x", at: "now" });
  assert.equal(extra.status, 422);
  assert.equal((await adjust(owner, m.id, { points: 5, reason: "x".repeat(500) })).status, 201);
  const key = await adjust(owner, m.id, { points: 1, reason: "x" }, " ");
  assert.equal(key.status, 422);
  assert.equal(key.json.errors[0].field, "Idempotency-Key");
  await assertLedgerSound(t.db);
});

Deno.test("adjustment: never below zero (409 insufficient-points, nothing written)", async () => {
  const m = await newMember();
  await adjust(owner, m.id, { points: 5, reason: "start" });
  const count = async () =>
    (await t.db.selectFrom("ledger_transactions").select("id").execute()).length;
  const before = await count();
  const refused = await adjust(owner, m.id, { points: -5.01, reason: "too much" });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/insufficient-points");
  assert.equal(refused.json.errors[0].field, "points");
  assert.equal(await count(), before);
  const audits = await t.db.selectFrom("audit_log").select("id")
    .where("entity_id", "=", m.id).where("action", "=", "adjust-points").execute();
  assert.equal(audits.length, 1, "only the first adjustment is audited");
  const exact = await adjust(owner, m.id, { points: -5, reason: "all of it" });
  assert.equal(exact.status, 201);
  assert.equal(exact.json.balance, 0);
  await assertLedgerSound(t.db);
});

Deno.test("adjustment: an Idempotency-Key makes a retry adjust once", async () => {
  const m = await newMember();
  const first = await adjust(owner, m.id, { points: 7, reason: "retry" }, "adj-1");
  assert.equal(first.status, 201);
  const again = await adjust(owner, m.id, { points: 7, reason: "retry" }, "adj-1");
  assert.equal(again.status, 201);
  assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  assert.deepEqual(again.json, first.json);
  assert.deepEqual((await get(`/customers/${m.id}`)).balances, { points: 7 });
  const other = await adjust(owner, m.id, { points: 8, reason: "retry" }, "adj-1");
  assert.equal(other.status, 422);
  assert.equal(other.json.type, "https://loyalty-edge.dev/problems/idempotency-key-reused");
  await assertLedgerSound(t.db);
});

Deno.test("permissions: support reads but may not adjust; another tenant sees 404", async () => {
  const m = await newMember();
  for (const path of ["", "/statement", "/sales"]) {
    await get(`/customers/${m.id}${path}`, staff.support.token);
    await get(`/customers/${m.id}${path}`, staff.other.token, 404);
    await get(`/customers/${B.member!.customer.id}${path}`, staff.admin.token, 404);
    const anonymous = await adminCall(t, null, "GET", `/customers/${m.id}${path}`);
    assert.equal(anonymous.status, 401);
  }
  const support = await adjust(staff.support.token, m.id, { points: 1, reason: "no" });
  assert.equal(support.status, 403);
  assert.equal(support.json.type, "https://loyalty-edge.dev/problems/forbidden");
  const other = await adjust(staff.other.token, m.id, { points: 1, reason: "no" });
  assert.equal(other.status, 404);
  const cross = await adjust(staff.admin.token, B.member!.customer.id, { points: 1, reason: "no" });
  assert.equal(cross.status, 404);
  const unknown = await adjust(owner, crypto.randomUUID(), { points: 1, reason: "no" });
  assert.equal(unknown.status, 404);
  assert.deepEqual((await get(`/customers/${m.id}`)).balances, { points: 0 });
  const moved = await t.db.selectFrom("ledger_transactions").select("id")
    .where("group_id", "=", B.group.id).execute();
  assert.equal(moved.length, 0);
});

/** The console as a signed-in staff member: GET a page, POST a form. */
async function consoleAs(email: string) {
  const { cookie, csrf } = await signIn(t, email);
  return {
    csrf,
    get: async (path: string) => {
      const res = await t.request(path, { headers: { Cookie: cookie } });
      return { status: res.status, html: await res.text() };
    },
    post: async (path: string, form: Record<string, string>) => {
      const res = await t.request(path, {
        method: "POST",
        headers: {
          Cookie: cookie,
          Origin: ORIGIN,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ _csrf: csrf, ...form }),
        redirect: "manual",
      });
      return {
        status: res.status,
        html: await res.text(),
        location: res.headers.get("Location"),
      };
    },
  };
}

Deno.test("profile page: balances, key line total, statistics, statement, sales, adjustment", async () => {
  const m = await newMember("Page Profile");
  // 42.50: basic 42.50 + onbo 4.25.
  const sold = await sell(m.number, [4250]);
  assert.equal(sold.points, 46.75);
  await configure(t, owner, A.group.id, {
    showKeyLineTotal: true,
    keyLineTotalReferenceMatch: "ONBO",
  });
  try {
    const marketing = await consoleAs(staff.marketing.email);
    const page = await marketing.get(`/console/customers/${m.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /data-figure="points">46\.75</);
    assert.match(page.html, /data-figure="key-line-total">4\.25</);
    assert.equal(page.html.match(/Key line total/g)?.length, 1, "the key line total once");
    assert.match(page.html, /Key line total \(ONBO\)/);
    assert.match(page.html, /data-figure="visits">1</);
    assert.match(page.html, /data-figure="spend">42\.50 EUR</);
    assert.match(page.html, /Points statement/);
    assert.match(
      page.html,
      new RegExp(`>${sold.receiptNumber}<`),
      "the sale's receipt on the statement",
    );
    assert.match(page.html, /\+42\.50/);
    assert.match(page.html, /\+4\.25/);
    assert.match(page.html, /Sales and returns/);
    assert.match(page.html, /action="\/console\/customers\/[0-9a-f-]+\/adjustments#adjust"/);

    const refused = await marketing.post(`/console/customers/${m.id}/adjustments`, {
      points: "abc",
      reason: "  ",
    });
    assert.equal(refused.status, 422);
    assert.match(refused.html, /id="points-error" class="field-error">must be a number</);
    assert.match(refused.html, /id="reason-error" class="field-error">a reason is required</);
    assert.match(refused.html, /value="abc"/, "the refused value is kept");

    const overdraw = await marketing.post(`/console/customers/${m.id}/adjustments`, {
      points: "-47",
      reason: "too much",
    });
    assert.equal(overdraw.status, 409);
    assert.match(overdraw.html, /id="points-error" class="field-error">more than the balance</);

    const done = await marketing.post(`/console/customers/${m.id}/adjustments`, {
      points: "-2.75",
      reason: "damaged voucher",
    });
    assert.equal(done.status, 303, done.html);
    const after = await marketing.get(done.location!);
    assert.match(after.html, /data-figure="points">44\.00</);
    assert.match(after.html, /damaged voucher/);
    assert.match(after.html, /−2\.75/);

    const support = await consoleAs(staff.support.email);
    const read = await support.get(`/console/customers/${m.id}`);
    assert.equal(read.status, 200);
    assert.doesNotMatch(read.html, /Adjust points/);
    const forbidden = await support.post(`/console/customers/${m.id}/adjustments`, {
      points: "1",
      reason: "no",
    });
    assert.equal(forbidden.status, 403);
  } finally {
    await configure(t, owner, A.group.id, { showKeyLineTotal: false });
  }
  await assertLedgerSound(t.db);
});

Deno.test("profile page: the statement pages through older entries", async () => {
  const m = await newMember("Paging Person");
  for (let i = 1; i <= 22; i++) {
    assert.equal((await adjust(owner, m.id, { points: i, reason: `r${i}` })).status, 201);
  }
  const marketing = await consoleAs(staff.marketing.email);
  const first = await marketing.get(`/console/customers/${m.id}`);
  assert.match(first.html, /data-figure="points">253\.00</);
  const next = /href="([^"]+before=\d+)#statement" rel="next"/.exec(first.html);
  assert.ok(next, "a link to older entries");
  const older = await marketing.get(next[1].replaceAll("&amp;", "&"));
  const balances = [...older.html.matchAll(/<td>\+(\d+\.\d\d)<\/td><td>(\d+\.\d\d)<\/td>/g)]
    .map((m) => [m[1], m[2]]);
  assert.deepEqual(balances, [["2.00", "3.00"], ["1.00", "1.00"]]);
  assert.doesNotMatch(older.html, /rel="next"/);
  assert.match(older.html, /← Newest/);
  await assertLedgerSound(t.db);
});

Deno.test("the OpenAPI document describes the profile calls", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  for (const path of ["/statement", "/sales", "/adjustments", ""]) {
    assert.ok(doc.paths[`/api/admin/v1/customers/{id}${path}`], path);
  }
  const schemas = doc.components.schemas;
  let customer = schemas.PosCustomerLookup.properties.customer;
  if (customer.$ref) customer = schemas[customer.$ref.split("/").pop()];
  const props = customer.allOf[1].properties;
  assert.deepEqual(customer.allOf[0], { $ref: "#/components/schemas/Customer" });
  assert.ok(props.balances && props.keyLineTotal && props.statistics);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
