/**
 * What staff change and open from a customer's profile: the details (PATCH /customers/{id} and
 * the profile's form), a card blocked, a sale opened with its lines, tenders, points per rule
 * and returns (GET /sales/{id} and its page), and the confirmation a large adjustment asks.
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
import { testBackend } from "../helpers/db.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, {
  name: "Acme",
  member: { number: "M1", name: "Ada Lovelace", categories: ["GOLD"] },
  staff: { "a-support": "support", "a-marketing": "marketing" },
  settings: { generateAutomaticCustomerCard: true },
});
const B = await buildWorld(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const member = A.member!.customer;
const owner = A.ownerToken;
await publishRules(t, A, [
  { ...memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }), name: "Base" },
  {
    ...memberRule("shoes", {
      type: "item-points",
      params: { selector: { skus: ["SH"] }, perItem: 5 },
    }),
    name: "Shoe bonus",
    priority: 20,
  },
]);

const audits = async (action: string) =>
  await t.db.selectFrom("audit_log").select(["before", "after"])
    .where("entity_id", "=", member.id).where("action", "=", action).execute();

async function formPost(cookie: string, path: string, fields: Record<string, string>) {
  return await t.request(path, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields),
  });
}

Deno.test(`PATCH a customer: only the fields sent change, audited once with before and after (${testBackend})`, async () => {
  const answer = await adminCall(t, owner, "PATCH", `/customers/${member.id}`, {
    name: "Ada King",
    email: "ada@example.com",
    phone: "+44 20 7946 0000",
    categories: ["SILVER", null, "VIP"],
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.equal(answer.json.name, "Ada King");
  assert.equal(answer.json.email, "ada@example.com");
  assert.deepEqual(answer.json.categories.map((c: { code: string }) => c.code).slice(0, 3), [
    "SILVER",
    null,
    "VIP",
  ]);
  assert.equal(answer.json.number, "M1", "the number is not editable");
  const [entry] = await audits("update");
  assert.deepEqual((entry.before as Record<string, unknown>).name, "Ada Lovelace");
  assert.deepEqual((entry.after as Record<string, unknown>).name, "Ada King");
  const same = await adminCall(t, owner, "PATCH", `/customers/${member.id}`, { name: "Ada King" });
  assert.equal(same.status, 200);
  assert.equal((await audits("update")).length, 1, "nothing changed, nothing audited");
  const cleared = await adminCall(t, owner, "PATCH", `/customers/${member.id}`, { email: null });
  assert.equal(cleared.json.email, null);
});

Deno.test(`bad changes are 422s naming the field and change nothing; other tenants 404, support 403 (${testBackend})`, async () => {
  const before = await adminCall(t, owner, "GET", `/customers/${member.id}`);
  const cases: [unknown, string][] = [
    [{ name: "" }, "name"],
    [{ email: "not an email" }, "email"],
    [{ phone: "call me" }, "phone"],
    [{ categories: [] }, "categories"],
    [{ categories: [null, "VIP"] }, "categories.0"],
    [{ number: "X1" }, "number"],
  ];
  for (const [body, field] of cases) {
    const answer = await adminCall(t, owner, "PATCH", `/customers/${member.id}`, body);
    assert.equal(answer.status, 422, JSON.stringify(body));
    const fields = (await problemOf(answer)).errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes(field), `${JSON.stringify(body)}: ${fields}`);
  }
  const other = await adminCall(t, B.staff["b-admin"].token, "PATCH", `/customers/${member.id}`, {
    name: "Mallory",
  });
  assert.equal(other.status, 404);
  const support = await adminCall(
    t,
    A.staff["a-support"].token,
    "PATCH",
    `/customers/${member.id}`,
    {
      name: "Mallory",
    },
  );
  assert.equal(support.status, 403);
  assert.deepEqual((await adminCall(t, owner, "GET", `/customers/${member.id}`)).json, before.json);
});

Deno.test(`the profile's form edits the details; a refused edit shows at its field (${testBackend})`, async () => {
  const { cookie, csrf } = await signIn(t, A.staff["a-marketing"].email);
  const page =
    await (await t.request(`/console/customers/${member.id}`, { headers: { Cookie: cookie } }))
      .text();
  assert.match(page, /<h2 id="edit-heading">Edit details<\/h2>/);
  const refused = await formPost(cookie, `/console/customers/${member.id}/edit`, {
    _csrf: csrf,
    name: "Ada",
    email: "nope",
    category1: "GOLD",
  });
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /id="email-error" class="field-error">not an email address/);
  const saved = await formPost(cookie, `/console/customers/${member.id}/edit`, {
    _csrf: csrf,
    name: "Ada Lovelace",
    email: "",
    phone: "",
    category1: "gold",
  });
  assert.equal(saved.status, 303);
  const now = (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json;
  assert.equal(now.name, "Ada Lovelace");
  assert.equal(now.phone, null);
  assert.deepEqual(now.categories.map((c: { code: string }) => c.code), ["GOLD"]);
});

Deno.test(`a card is blocked from the profile with a reason; only the customer's own card (${testBackend})`, async () => {
  const { cookie, csrf } = await signIn(t, A.staff["a-support"].email);
  const card = (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json.cards[0];
  const noReason = await formPost(cookie, `/console/customers/${member.id}/cards/block`, {
    _csrf: csrf,
    number: card.number,
    reason: "",
  });
  assert.equal(noReason.status, 303);
  assert.equal(
    (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json.cards[0].status,
    "active",
  );
  const notTheirs = await formPost(cookie, `/console/customers/${member.id}/cards/block`, {
    _csrf: csrf,
    number: "999999",
    reason: "lost",
  });
  assert.equal(notTheirs.status, 303);
  const blocked = await formPost(cookie, `/console/customers/${member.id}/cards/block`, {
    _csrf: csrf,
    number: card.number,
    reason: "reported lost",
  });
  assert.equal(blocked.status, 303);
  assert.equal(
    (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json.cards[0].status,
    "blocked",
  );
  const moves = await t.db.selectFrom("audit_log").select("action")
    .where("entity", "=", "instrument").where("action", "=", "block").execute();
  assert.equal(moves.length, 1);
});

Deno.test(`GET /sales/{id}: lines, points per rule by name, tenders and returns; its page (${testBackend})`, async () => {
  const customer = (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json;
  const sale = await posCall(t, A.posToken, "POST", "/sales", {
    key: "sale-1",
    body: {
      currency: "EUR",
      at: new Date().toISOString(),
      receiptNumber: "S-1",
      customer: { number: customer.number },
      lines: [
        { sku: "SH", category: "SHOES", quantity: 2, unitPrice: 1000 },
        { sku: "SO", category: "SOCKS", quantity: 1, unitPrice: 500 },
      ],
      tenders: [{ type: "CASH", amount: 1500 }, { type: "CARD", amount: 1000 }],
    },
  });
  assert.equal(sale.status, 201, JSON.stringify(sale.json));
  const back = await posCall(t, A.posToken, "POST", "/returns", {
    key: "return-1",
    body: {
      receiptNumber: "R-1",
      at: new Date().toISOString(),
      original: { receiptNumber: "S-1" },
      lines: [{ sku: "SH", quantity: 1, unitPrice: 1000 }],
      tenders: [],
    },
  });
  assert.equal(back.status, 201, JSON.stringify(back.json));
  const detail = await adminCall(t, owner, "GET", `/sales/${sale.json.id}`);
  assert.equal(detail.status, 200, JSON.stringify(detail.json));
  const d = detail.json;
  assert.equal(d.kind, "sale");
  assert.equal(d.receiptNumber, "S-1");
  assert.equal(d.customer.id, member.id);
  assert.equal(d.total, 2500);
  assert.deepEqual(d.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity]), [
    ["SH", 2],
    ["SO", 1],
  ]);
  assert.equal(d.lines[0].returnedQuantity, 1);
  const shoeAwards = d.lines[0].awards.map((
    a: { ruleName: string; points: number },
  ) => [a.ruleName, a.points]).sort();
  assert.deepEqual(shoeAwards, [["Base", 2000], ["Shoe bonus", 1000]]);
  assert.ok(d.lines[0].awards.some((a: { reversed: number }) => a.reversed > 0));
  assert.deepEqual(d.tenders.map((x: { type: string; amount: number }) => [x.type, x.amount]), [
    ["CASH", 1500],
    ["CARD", 1000],
  ]);
  assert.equal(d.returns.length, 1);
  assert.equal(d.returns[0].receiptNumber, "R-1");
  const ret = await adminCall(t, owner, "GET", `/sales/${d.returns[0].id}`);
  assert.equal(ret.json.kind, "return");
  assert.equal(ret.json.originalSaleId, sale.json.id);

  assert.equal(
    (await adminCall(t, B.staff["b-admin"].token, "GET", `/sales/${sale.json.id}`)).status,
    404,
  );
  assert.equal((await adminCall(t, owner, "GET", `/sales/not-an-id`)).status, 404);

  const { cookie } = await signIn(t, A.staff["a-support"].email);
  const profile =
    await (await t.request(`/console/customers/${member.id}`, { headers: { Cookie: cookie } }))
      .text();
  assert.ok(profile.includes(`<a href="/console/sales/${sale.json.id}">S-1</a>`));
  const page = await t.request(`/console/sales/${sale.json.id}`, { headers: { Cookie: cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1>Sale S-1<\/h1>/);
  assert.match(html, /Shoe bonus: 10\.00/);
  assert.match(html, /\(1 returned\)/);
  assert.ok(html.includes(`<a href="/console/sales/${d.returns[0].id}">R-1</a>`));
});

Deno.test(`an adjustment above the threshold asks first; posting without the confirmation moves nothing (${testBackend})`, async () => {
  const { cookie, csrf } = await signIn(t, A.staff["a-marketing"].email);
  const balance = async () =>
    (await adminCall(t, owner, "GET", `/customers/${member.id}`)).json.balances.points;
  const before = await balance();
  const asked = await formPost(cookie, `/console/customers/${member.id}/adjustments`, {
    _csrf: csrf,
    points: "1500",
    reason: "typo check",
  });
  assert.equal(asked.status, 200);
  const html = await asked.text();
  assert.match(
    html,
    /Adjust Ada Lovelace&#39;s points by \+1,500\.00\?|Adjust Ada Lovelace's points by \+1,500\.00\?/,
  );
  assert.match(html, /<input type="hidden" name="confirm" value="yes"\/>/);
  assert.equal(await balance(), before);
  const small = await formPost(cookie, `/console/customers/${member.id}/adjustments`, {
    _csrf: csrf,
    points: "10",
    reason: "small one",
  });
  assert.equal(small.status, 303, "at or below the threshold: no question");
  const done = await formPost(cookie, `/console/customers/${member.id}/adjustments`, {
    _csrf: csrf,
    points: "1500",
    reason: "typo check",
    confirm: "yes",
  });
  assert.equal(done.status, 303);
  assert.equal(await balance(), before + 1510);
});

Deno.test(`PATCH a phone: stored as E.164 from the programme's stores' country, found either way (${testBackend})`, async () => {
  const answer = await adminCall(t, owner, "PATCH", `/customers/${member.id}`, {
    phone: "06 12 34 56 78",
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.equal(answer.json.phone, "+33612345678");
  for (const q of ["+33612345678", "06 12 34 56 78"]) {
    const found = await adminCall(
      t,
      owner,
      "GET",
      `/merchant-groups/${A.group.id}/customers?q=${encodeURIComponent(q)}`,
    );
    assert.equal(found.status, 200, JSON.stringify(found.json));
    assert.ok(
      found.json.items.some((c: { id: string }) => c.id === member.id),
      `${q} finds the member`,
    );
  }
});

Deno.test({ name: "close the test app", fn: () => t.close() });
