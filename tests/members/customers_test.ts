import assert from "node:assert/strict";
import { isValidNumber } from "../../instruments/numbers.ts";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { buildRegistry, buildWorld, configure, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

/** Org A: site North, store 1 (its merchant is in group G) and store 2 (no merchant). */
const A = await buildWorld(t, {
  name: "Acme",
  site: "North",
  store: { name: "Main street" },
  moreStores: [{ number: 2, name: "Depot", timezone: "UTC" }],
  member: null,
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildRegistry(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const [orgA, orgB, G] = [A.org, B.org, A.group];
const owner = A.ownerToken;
const tokens: Record<string, string | null> = { owner, anonymous: null, ...staffTokens(A, B) };

const call = (token: string | null, method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

async function ok(method: string, path: string, body?: unknown, status = 200) {
  const res = await call(owner, method, path, body);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.json)}`);
  return res.json;
}

let groups = 0;
const newGroup = async (orgId = orgA.id) =>
  await ok("POST", "/merchant-groups", { organizationId: orgId, name: `G${++groups}` }, 201);

let serial = 0;
const createCustomer = (groupId: string, body: Record<string, unknown> = {}) =>
  ok("POST", `/merchant-groups/${groupId}/customers`, {
    name: `Customer ${++serial}`,
    categories: ["GOLD"],
    ...body,
  }, 201);

const counts = async () => ({
  customers: (await t.db.selectFrom("customers").select("id").execute()).length,
  accounts: (await t.db.selectFrom("accounts").select("id").execute()).length,
  instruments: (await t.db.selectFrom("instruments").select("id").execute()).length,
  series: (await t.db.selectFrom("series").select("id").execute()).length,
});

Deno.test("generate automatic customer card: card number equals customer number", async () => {
  const group = await newGroup();
  const first = await createCustomer(group.id);
  assert.deepEqual(first.cards, [{ number: first.number, status: "active" }]);
  const given = await createCustomer(group.id, { number: " ab12345 " });
  assert.equal(given.number, "AB12345");
  assert.deepEqual(given.cards, [{ number: "AB12345", status: "active" }]);

  const series = await t.db.selectFrom("series").selectAll().where("group_id", "=", group.id)
    .execute();
  assert.equal(series.length, 1, "one series holds every automatic card");
  assert.deepEqual(
    [series[0].name, series[0].type, series[0].prefix, series[0].currency],
    ["Customer cards", "loyalty-card", "", "EUR"],
  );
  const cards = await t.db.selectFrom("instruments").select(["customer_id", "series_id"])
    .where("group_id", "=", group.id).execute();
  assert.deepEqual(
    cards.map((c) => c.customer_id).sort(),
    [first.id, given.id].sort(),
  );
});

Deno.test("generate automatic customer card off: no card is issued", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { generateAutomaticCustomerCard: false });
  const customer = await createCustomer(group.id);
  assert.deepEqual(customer.cards, []);
  const instruments = await t.db.selectFrom("instruments").select("id")
    .where("group_id", "=", group.id).execute();
  assert.equal(instruments.length, 0);
});

Deno.test("generated customer numbers: 16 random digits with a valid Luhn check digit", async () => {
  const group = await newGroup();
  const numbers = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const { number } = await createCustomer(group.id);
    assert.match(number, /^[1-9][0-9]{15}$/);
    assert.ok(isValidNumber("loyalty-card", number), number);
    numbers.add(number);
  }
  assert.equal(numbers.size, 20);
});

Deno.test("automatic card series: the group's most used currency; a pre-printed card is taken over", async () => {
  const group = await newGroup();
  for (
    const [name, prefix, currency] of [["A", "1", "SEK"], ["B", "2", "SEK"], ["C", "3", "NOK"]]
  ) {
    await ok("POST", `/merchant-groups/${group.id}/series`, {
      name,
      type: name === "C" ? "gift-card" : "loyalty-card",
      prefix,
      currency,
    }, 201);
  }
  const printedSeries = await t.db.selectFrom("series").selectAll()
    .where("group_id", "=", group.id).where("prefix", "=", "1").executeTakeFirstOrThrow();
  const giftSeries = await t.db.selectFrom("series").selectAll()
    .where("group_id", "=", group.id).where("prefix", "=", "3").executeTakeFirstOrThrow();
  const printedCards: [typeof printedSeries, string][] = [
    [printedSeries, "1000000000000009"],
    [giftSeries, "300000007"],
  ];
  for (const [series, number] of printedCards) {
    await t.db.insertInto("instruments").values({
      org_id: orgA.id,
      group_id: group.id,
      series_id: series.id,
      number,
    }).execute();
  }

  const holder = await createCustomer(group.id, { number: "1000000000000009" });
  assert.deepEqual(holder.cards, [{ number: "1000000000000009", status: "active" }]);
  const printed = await t.db.selectFrom("instruments").selectAll()
    .where("number", "=", "1000000000000009").execute();
  assert.equal(printed.length, 1, "the printed card was linked, not duplicated");
  assert.equal(printed[0].customer_id, holder.id);

  const before = await counts();
  const clash = await call(owner, "POST", `/merchant-groups/${group.id}/customers`, {
    number: "300000007",
    name: "Gift",
    categories: ["GOLD"],
  });
  assert.equal(clash.status, 409);
  assert.equal(clash.json.errors[0].field, "number");
  assert.deepEqual(await counts(), before);

  await createCustomer(group.id);
  const customerCards = await t.db.selectFrom("series").selectAll()
    .where("group_id", "=", group.id).where("prefix", "=", "").executeTakeFirstOrThrow();
  assert.equal(customerCards.currency, "SEK", "two SEK series against one NOK");
});

Deno.test("automatic card: a prefix-less series of another type is refused clearly", async () => {
  const group = await newGroup();
  await t.db.insertInto("series").values({
    org_id: orgA.id,
    group_id: group.id,
    name: "Old gift cards",
    type: "gift-card",
    prefix: "",
    currency: "EUR",
  }).execute();
  const before = await counts();
  const res = await call(owner, "POST", `/merchant-groups/${group.id}/customers`, {
    name: "No card",
    categories: ["GOLD"],
  });
  assert.equal(res.status, 409);
  assert.equal(res.json.type, "https://loyalty-edge.dev/problems/customer-card-series");
  assert.deepEqual(await counts(), before);
});

Deno.test("default account type is applied", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { defaultAccountType: "points" });
  const customer = await createCustomer(group.id);
  assert.deepEqual(customer.accounts.map((a: { type: string }) => a.type), ["POINTS"]);
  const untyped = await ok("POST", `/customers/${customer.id}/accounts`, {}, 201);
  assert.equal(untyped.type, "POINTS");
  const typed = await ok("POST", `/customers/${customer.id}/accounts`, { type: " memcr " }, 201);
  assert.equal(typed.type, "MEMCR");
  const detail = await ok("GET", `/customers/${customer.id}`);
  assert.deepEqual(detail.accounts.map((a: { type: string }) => a.type), [
    "POINTS",
    "POINTS",
    "MEMCR",
  ]);
});

Deno.test("non-loyalty category codes make a customer a non-member", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { nonLoyaltyCategoryCodes: ["CASH", "TRADE"] });
  const plain = await createCustomer(group.id, { categories: [" cash ", "SPORT"] });
  assert.equal(plain.member, false);
  assert.equal(plain.staff, false);
  const member = await createCustomer(group.id, { categories: ["GOLD", "CASH"] });
  assert.equal(member.member, true, "only category 1 decides");
  // Derived, not stored: a settings change applies to existing customers.
  await configure(t, owner, group.id, { nonLoyaltyCategoryCodes: ["GOLD"] });
  assert.equal((await ok("GET", `/customers/${member.id}`)).member, false);
  assert.equal((await ok("GET", `/customers/${plain.id}`)).member, true);
});

Deno.test("staff loyalty category codes make staff", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { staffLoyaltyCategoryCodes: ["STAFF"] });
  const staff = await createCustomer(group.id, { categories: ["staff"] });
  assert.equal(staff.staff, true);
  assert.equal(staff.member, true, "staff are members unless also non-loyalty");
  const customer = await createCustomer(group.id, { categories: ["GOLD", "STAFF"] });
  assert.equal(customer.staff, false);
});

Deno.test("max accounts per customer is enforced", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { maxAccountsPerCustomer: 3 });
  const customer = await createCustomer(group.id);
  assert.equal(customer.accounts.length, 1, "the default account counts");
  const results = await Promise.all(
    Array.from({ length: 10 }, () => call(owner, "POST", `/customers/${customer.id}/accounts`, {})),
  );
  assert.deepEqual(
    results.map((r) => r.status).sort(),
    [201, 201, 409, 409, 409, 409, 409, 409, 409, 409],
  );
  const refused = results.find((r) => r.status === 409)!;
  assert.equal(refused.json.type, "https://loyalty-edge.dev/problems/max-accounts");
  assert.equal(refused.json.errors[0].field, "type");
  const accounts = await t.db.selectFrom("accounts").select("id")
    .where("customer_id", "=", customer.id).execute();
  assert.equal(accounts.length, 3, "exactly the maximum, under concurrency");

  await configure(t, owner, group.id, { maxAccountsPerCustomer: 0 });
  for (let i = 0; i < 4; i++) await ok("POST", `/customers/${customer.id}/accounts`, {}, 201);
  assert.equal((await ok("GET", `/customers/${customer.id}`)).accounts.length, 7, "0 = unlimited");
});

Deno.test("the customer detail: categories with their names, home store, accounts, cards", async () => {
  await configure(t, owner, G.id, {
    categoryNames: ["Customer type", "Hobby", "Region", "Employer", "Channel"],
  });
  const created = await createCustomer(G.id, {
    name: "  Zoë Durand ",
    email: " Zoe.Durand@Example.COM ",
    phone: "+33 (6) 12-34-56-78",
    homeStoreNumber: 1,
    categories: ["gold", null, " north "],
  });
  const detail = await ok("GET", `/customers/${created.id}`);
  assert.equal(detail.name, "Zoë Durand");
  assert.equal(detail.email, "Zoe.Durand@Example.COM", "trimmed, case kept");
  assert.equal(detail.phone, "+33612345678");
  assert.equal(detail.homeStoreNumber, 1);
  assert.equal(detail.merchantGroupId, G.id);
  assert.deepEqual(detail.categories, [
    { code: "GOLD", name: "Customer type" },
    { code: null, name: "Hobby" },
    { code: "NORTH", name: "Region" },
  ]);
  assert.deepEqual(detail.cards, [{ number: created.number, status: "active" }]);
  assert.equal(detail.accounts[0].type, "MEMCR");
});

Deno.test("two creations with the same number at once: one wins, the other is a 409 on number", async () => {
  const group = await newGroup();
  const results = await Promise.all(
    [1, 2].map(() =>
      call(owner, "POST", `/merchant-groups/${group.id}/customers`, {
        number: "777",
        name: "Twin",
        categories: ["GOLD"],
      })
    ),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  assert.equal(results.find((r) => r.status === 409)!.json.errors[0].field, "number");
  const rows = await t.db.selectFrom("customers").select("id").where("group_id", "=", group.id)
    .execute();
  assert.equal(rows.length, 1);
});

Deno.test("search by number, card, part of the email, phone and any word of the name", async () => {
  const group = await newGroup();
  await configure(t, owner, group.id, { generateAutomaticCustomerCard: false });
  const alice = await createCustomer(group.id, {
    number: "5001",
    name: "Alice Martin",
    email: "Alice@Example.com",
    phone: "+44 20 7946 0958",
  });
  const alina = await createCustomer(group.id, { number: "5002", name: "alina Smith" });
  const bob = await createCustomer(group.id, {
    number: "5003",
    name: "Bob 100% Real",
    phone: "020 7946 0000",
  });
  const series = await ok("POST", `/merchant-groups/${group.id}/series`, {
    name: "Cards",
    type: "loyalty-card",
    prefix: "9",
    currency: "EUR",
  }, 201);
  await t.db.insertInto("instruments").values({
    org_id: orgA.id,
    group_id: group.id,
    series_id: series.id,
    number: "9000000000000001",
    status: "active",
    customer_id: bob.id,
  }).execute();

  const search = async (q: string) =>
    (await ok("GET", `/merchant-groups/${group.id}/customers?q=${encodeURIComponent(q)}`))
      .items.map((c: { id: string }) => c.id);
  assert.deepEqual(await search("5002"), [alina.id], "number");
  assert.deepEqual(await search("9000000000000001"), [bob.id], "card");
  assert.deepEqual(await search("aLiCe@example.COM"), [alice.id], "email in any case");
  assert.deepEqual(await search("+44 (20) 7946-0958"), [alice.id], "phone, formatted");
  assert.deepEqual(await search("02079460000"), [bob.id], "phone, digits");
  assert.deepEqual(await search("ALI"), [alice.id, alina.id], "name prefix, any case");
  assert.deepEqual(await search("alice m"), [alice.id]);
  assert.deepEqual(await search("Martin"), [alice.id], "the surname");
  assert.deepEqual(await search("artin"), [], "a word's start, not any part of it");
  assert.deepEqual(await search("example.co"), [alice.id], "part of the email");
  assert.deepEqual(await search("020 7946 0958"), [alice.id], "local, stored international");
  assert.deepEqual(await search("bob 100%"), [bob.id], "% is literal");
  assert.deepEqual(await search("bob 1_0"), [], "_ is literal");
  assert.deepEqual(await search("nobody"), []);
  assert.deepEqual(await search(""), [alice.id, alina.id, bob.id], "no q: everyone by name");

  const hit = (await ok("GET", `/merchant-groups/${group.id}/customers?q=5001`)).items[0];
  assert.deepEqual(hit.categories, [{ code: "GOLD", name: "Customer type" }]);
  assert.equal(hit.member, true);
});

Deno.test("the customer list pages with a cursor, in name order, without repeats", async () => {
  const group = await newGroup();
  const names = ["delta", "Alpha", "charlie", "Bravo", "echo", "alpha", "Foxtrot"];
  for (const name of names) await createCustomer(group.id, { name });
  const seen: string[] = [];
  let cursor: string | null = "";
  let pages = 0;
  while (cursor !== null) {
    const res: { items: { name: string }[]; nextCursor: string | null } = await ok(
      "GET",
      `/merchant-groups/${group.id}/customers?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    seen.push(...res.items.map((c) => c.name));
    cursor = res.nextCursor;
    pages++;
  }
  assert.equal(pages, 4);
  assert.deepEqual(seen.map((n) => n.toLowerCase()), [
    "alpha",
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
  ]);
  const searched = await ok("GET", `/merchant-groups/${group.id}/customers?q=alp&limit=1`);
  assert.equal(searched.items.length, 1);
  const rest = await ok(
    "GET",
    `/merchant-groups/${group.id}/customers?q=alp&limit=1&cursor=${searched.nextCursor}`,
  );
  assert.equal(rest.items.length, 1);
  assert.notEqual(rest.items[0].id, searched.items[0].id);
  assert.equal(rest.nextCursor, null);
});

Deno.test("authorization: staff of another organization get 404, weaker roles 403", async () => {
  const customer = await createCustomer(G.id);
  const read = { owner: 200, "a-admin": 200, "a-marketing": 200, "a-support": 200 };
  const manage = { owner: 201, "a-admin": 201, "a-marketing": 201, "a-support": 403 };
  const rows: [string, string, unknown, Record<string, number>][] = [
    ["GET", `/merchant-groups/${G.id}/customers`, undefined, read],
    ["GET", `/merchant-groups/${G.id}/customers?q=x`, undefined, read],
    ["GET", `/customers/${customer.id}`, undefined, read],
    ["POST", `/merchant-groups/${G.id}/customers`, { name: "N", categories: ["GOLD"] }, manage],
    ["POST", `/customers/${customer.id}/accounts`, {}, manage],
  ];
  const failures: string[] = [];
  for (const [method, path, body, expected] of rows) {
    for (const [who, status] of Object.entries({ ...expected, "b-admin": 404, anonymous: 401 })) {
      const res = await call(tokens[who], method, path, body);
      if (res.status !== status) failures.push(`${method} ${path} as ${who}: ${res.status}`);
      if (res.status >= 400) assert.match(res.type, /problem\+json/);
    }
  }
  assert.deepEqual(failures, []);
  for (const id of ["not-a-uuid", crypto.randomUUID()]) {
    assert.equal((await call(owner, "GET", `/customers/${id}`)).status, 404);
    assert.equal((await call(owner, "POST", `/customers/${id}/accounts`, {})).status, 404);
    assert.equal((await call(owner, "GET", `/merchant-groups/${id}/customers`)).status, 404);
  }
});

Deno.test("tenant isolation: B's admin cannot read or change A's customers", async () => {
  const customer = await createCustomer(G.id, { email: "secret@example.com" });
  const groupB = await newGroup(orgB.id);
  const b = tokens["b-admin"];
  const before = await counts();
  assert.equal((await call(b, "GET", `/customers/${customer.id}`)).status, 404);
  assert.equal(
    (await call(b, "GET", `/merchant-groups/${G.id}/customers?q=secret@example.com`)).status,
    404,
  );
  assert.equal((await call(b, "POST", `/customers/${customer.id}/accounts`, {})).status, 404);
  assert.equal(
    (await call(b, "POST", `/merchant-groups/${G.id}/customers`, {
      name: "Intruder",
      categories: ["GOLD"],
    })).status,
    404,
  );
  assert.deepEqual(await counts(), before);
  // B's own group does not see A's customers either.
  const own = await call(b, "GET", `/merchant-groups/${groupB.id}/customers?q=secret@example.com`);
  assert.equal(own.status, 200);
  assert.deepEqual(own.json.items, []);
  const number = await call(
    b,
    "GET",
    `/merchant-groups/${groupB.id}/customers?q=${customer.number}`,
  );
  assert.deepEqual(number.json.items, []);
});

Deno.test("bad input on every customer endpoint: 4xx naming the field, nothing written", async () => {
  const existing = await createCustomer(G.id, { number: "424242" });
  const base = { name: "Valid", categories: ["GOLD"] };
  const create = `/merchant-groups/${G.id}/customers`;
  const cases: [string, string, unknown, number, string][] = [
    ["POST", create, { ...base, name: "  " }, 422, "name"],
    ["POST", create, { ...base, name: "x".repeat(201) }, 422, "name"],
    ["POST", create, { categories: ["GOLD"] }, 422, "name"],
    ["POST", create, { ...base, email: "not-an-email" }, 422, "email"],
    ["POST", create, { ...base, email: 42 }, 422, "email"],
    ["POST", create, { ...base, phone: "call me" }, 422, "phone"],
    ["POST", create, { ...base, phone: "12-34" }, 422, "phone"],
    ["POST", create, { ...base, phone: "+1 234 567 890 123 456" }, 422, "phone"],
    ["POST", create, { ...base, homeStoreNumber: 99 }, 422, "homeStoreNumber"],
    ["POST", create, { ...base, homeStoreNumber: 2 }, 422, "homeStoreNumber"],
    ["POST", create, { ...base, homeStoreNumber: "1" }, 422, "homeStoreNumber"],
    ["POST", create, { ...base, homeStoreNumber: 1.5 }, 422, "homeStoreNumber"],
    ["POST", create, { ...base, categories: [] }, 422, "categories"],
    ["POST", create, { ...base, categories: [" "] }, 422, "categories.0"],
    ["POST", create, { ...base, categories: [null, "X"] }, 422, "categories.0"],
    ["POST", create, { ...base, categories: ["A", "B", "C", "D", "E", "F"] }, 422, "categories"],
    ["POST", create, { ...base, categories: ["GOLD", "x".repeat(21)] }, 422, "categories.1"],
    ["POST", create, { ...base, categories: "GOLD" }, 422, "categories"],
    ["POST", create, { name: "No categories" }, 422, "categories"],
    ["POST", create, { ...base, number: "12 34" }, 422, "number"],
    ["POST", create, { ...base, number: "" }, 422, "number"],
    ["POST", create, { ...base, number: "x".repeat(33) }, 422, "number"],
    ["POST", create, { ...base, number: " 424242 " }, 409, "number"],
    ["POST", create, { ...base, extra: 1 }, 422, "extra"],
    ["GET", `${create}?limit=0`, undefined, 422, "limit"],
    ["GET", `${create}?limit=201`, undefined, 422, "limit"],
    ["GET", `${create}?cursor=garbage`, undefined, 422, "cursor"],
    [
      "GET",
      `${create}?cursor=${btoa(JSON.stringify(["a", "not-a-uuid"]))}`,
      undefined,
      422,
      "cursor",
    ],
    ["GET", `${create}?q=${"x".repeat(201)}`, undefined, 422, "q"],
    ["POST", `/customers/${existing.id}/accounts`, { type: "" }, 422, "type"],
    ["POST", `/customers/${existing.id}/accounts`, { type: "x".repeat(21) }, 422, "type"],
    ["POST", `/customers/${existing.id}/accounts`, { type: 5 }, 422, "type"],
    ["POST", `/customers/${existing.id}/accounts`, { kind: "POINTS" }, 422, "kind"],
  ];
  const before = await counts();
  for (const [method, path, body, status, field] of cases) {
    const res = await call(owner, method, path, body);
    const where = `${method} ${path.slice(0, 80)} ${JSON.stringify(body)?.slice(0, 60)}`;
    assert.equal(res.status, status, `${where}: ${JSON.stringify(res.json)}`);
    assert.match(res.type, /problem\+json/, where);
    assert.ok(
      res.json.errors?.some((e: { field: string }) => e.field === field),
      `${where}: ${JSON.stringify(res.json.errors)}`,
    );
  }
  const malformed = await t.request(`/api/admin/v1${create}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${owner}`, "Content-Type": "application/json" },
    body: "{not json",
  });
  assert.equal(malformed.status, 400);
  assert.deepEqual(await counts(), before);
});

Deno.test("the OpenAPI document describes the customer endpoints", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  for (
    const [path, method] of [
      ["/api/admin/v1/merchant-groups/{id}/customers", "post"],
      ["/api/admin/v1/merchant-groups/{id}/customers", "get"],
      ["/api/admin/v1/customers/{id}", "get"],
      ["/api/admin/v1/customers/{id}/accounts", "post"],
    ]
  ) {
    assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  }
  assert.ok(doc.components.schemas.NewCustomer.properties.categories);
});

Deno.test("console: find a customer, open the detail, create one through the form", async () => {
  const { cookie, csrf } = await signIn(t, "owner@example.com", undefined);
  const get = async (path: string) => {
    const res = await t.request(path, { headers: { Cookie: cookie } });
    return { status: res.status, html: await res.text(), location: res.headers.get("Location") };
  };
  const post = (path: string, form: Record<string, string>) =>
    t.request(path, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(form),
      redirect: "manual",
    });

  const chooser = await get("/console/customers");
  assert.equal(chooser.status, 200);
  assert.match(chooser.html, new RegExp(`<option value="${G.id}"`));

  const customer = await createCustomer(G.id, { name: "Page Person", number: "880011" });
  const results = await get(`/console/customers?group=${G.id}&q=880011`);
  assert.match(results.html, /Page Person/);
  assert.match(results.html, new RegExp(`href="/console/customers/${customer.id}"`));

  const detail = await get(`/console/customers/${customer.id}`);
  assert.equal(detail.status, 200);
  assert.match(detail.html, /880011/);
  assert.match(detail.html, /MEMCR/);
  assert.match(detail.html, /Customer type/);

  const bad = await post(`/console/customers?group=${G.id}`, {
    _csrf: csrf,
    name: "",
    email: "nope",
    category1: "",
  });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /id="name-error"/);
  assert.match(badHtml, /id="email-error"/);
  assert.match(badHtml, /id="category1-error"/);

  const created = await post(`/console/customers?group=${G.id}`, {
    _csrf: csrf,
    number: "",
    name: "Form Person",
    email: "form@example.com",
    phone: "",
    homeStoreNumber: "1",
    category1: "silver",
    category2: "",
    category3: "",
    category4: "",
    category5: "",
  });
  assert.equal(created.status, 303);
  const location = created.headers.get("Location")!;
  assert.match(location, /^\/console\/customers\/[0-9a-f-]{36}$/);
  const page = await get(location);
  assert.match(page.html, /Form Person/);
  assert.match(page.html, /SILVER/);

  const opened = await post(`${location}/accounts`, { _csrf: csrf, type: "points" });
  assert.equal(opened.status, 303);
  assert.match((await get(location)).html, /POINTS/);

  const forged = await post(`/console/customers?group=${G.id}`, { name: "No token" });
  assert.equal(forged.status, 403);

  const other = await newGroup(orgB.id);
  const member = await signIn(t, "a-admin@example.com");
  const hidden = await t.request(`/console/customers?group=${other.id}`, {
    headers: { Cookie: member.cookie },
  });
  assert.equal(hidden.status, 404);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
