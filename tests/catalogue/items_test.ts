import assert from "node:assert/strict";
import { adminCall, createTestApp, signIn, type TestApp } from "../helpers/app.ts";
import { buildRegistry, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildRegistry(t, {
  name: "Acme",
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildRegistry(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const [orgA, orgB] = [A.org, B.org];
const owner = A.ownerToken;
const tokens: Record<string, string | null> = { owner, anonymous: null, ...staffTokens(A, B) };

const call = (token: string | null, method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

async function ok(method: string, path: string, body?: unknown, status = 200) {
  const res = await call(owner, method, path, body);
  assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.json).slice(0, 500)}`);
  return res.json;
}

let groups = 0;
const newGroup = async (orgId = orgA.id) =>
  await ok("POST", "/merchant-groups", { organizationId: orgId, name: `G${++groups}` }, 201);

const item = (sku: string, extra: Record<string, unknown> = {}) => ({
  sku,
  name: `Item ${sku}`,
  category: "SHOES",
  prices: [1999, 1799, 1599, 1499, 1299],
  ...extra,
});
const itemCount = async () => (await t.db.selectFrom("items").select("id").execute()).length;

Deno.test("bulk upsert: created, then updated by SKU, unchanged items left alone", async () => {
  const group = await newGroup();
  const path = `/merchant-groups/${group.id}/items`;
  assert.deepEqual(
    await ok("PUT", path, { items: [item("A1"), item("B2"), item("C3")] }),
    { created: 3, updated: 0, unchanged: 0 },
  );
  const before = await t.db.selectFrom("items").selectAll().where("group_id", "=", group.id)
    .orderBy("sku").execute();
  assert.deepEqual(
    await ok("PUT", path, {
      items: [
        item("A1"),
        item(" B2 ", { name: "Renamed", prices: [1, 2, 3, 4, 5] }),
        item("C3"),
        item("D4"),
      ],
    }),
    { created: 1, updated: 1, unchanged: 2 },
  );
  const after = await t.db.selectFrom("items").selectAll().where("group_id", "=", group.id)
    .orderBy("sku").execute();
  assert.deepEqual(after.map((i) => i.sku), ["A1", "B2", "C3", "D4"]);
  assert.equal(after[1].name, "Renamed");
  assert.deepEqual(after[1].prices, [1, 2, 3, 4, 5]);
  assert.deepEqual(after[0].updated_at, before[0].updated_at, "an unchanged item keeps its time");
  const audit = await t.db.selectFrom("audit_log").select(["entity", "action", "after"])
    .where("entity_id", "=", group.id).where("entity", "=", "items").execute();
  assert.equal(audit.length, 2, "one audit entry per call");
});

Deno.test("bulk upsert of 5,000 items in one call; 5,001 is refused", async () => {
  const group = await newGroup();
  const path = `/merchant-groups/${group.id}/items`;
  const many = Array.from({ length: 5000 }, (_, i) =>
    item(`SKU-${String(i).padStart(5, "0")}`, {
      name: `Thing ${i}`,
      prices: [i, i, i, i, i],
    }));
  const started = performance.now();
  assert.deepEqual(await ok("PUT", path, { items: many }), {
    created: 5000,
    updated: 0,
    unchanged: 0,
  });
  const ms = performance.now() - started;
  assert.ok(ms < 20_000, `5,000 items took ${ms} ms`);
  const tooMany = await call(owner, "PUT", path, {
    items: [...many, item("SKU-X")],
  });
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.json.errors[0].field, "items");
});

Deno.test("text is stored exactly, whatever its characters", async () => {
  const group = await newGroup();
  const odd = [
    item('Q"1', { name: 'Quote " and \\ backslash', category: "{BRACES}" }),
    item("Q,2", { name: "Comma, NULL and 'single'", category: "NULL" }),
    item("Ü3", { name: "Ünïcödé ✓", category: "Æ" }),
  ];
  await ok("PUT", `/merchant-groups/${group.id}/items`, { items: odd });
  const rows = await t.db.selectFrom("items").select(["sku", "name", "category"])
    .where("group_id", "=", group.id).orderBy("sku").execute();
  assert.deepEqual(
    rows.map((r) => [r.sku, r.name, r.category]).sort(),
    odd.map((i) => [i.sku, i.name, i.category]).sort(),
  );
});

Deno.test("list: by SKU, search by SKU start or name part, category filter, cursor pages", async () => {
  const group = await newGroup();
  const path = `/merchant-groups/${group.id}/items`;
  await ok("PUT", path, {
    items: [
      item("SH-01", { name: "Running shoe" }),
      item("SH-02", { name: "Walking Shoe" }),
      item("SO-01", { name: "Wool socks", category: "SOCKS" }),
      item("SO-02", { name: "Cotton 100% socks", category: "SOCKS" }),
      item("HA-01", { name: "Sun hat", category: "HATS" }),
    ],
  });
  const skus = async (query: string) =>
    (await ok("GET", `${path}?${query}`)).items.map((i: { sku: string }) => i.sku);
  assert.deepEqual(await skus(""), ["HA-01", "SH-01", "SH-02", "SO-01", "SO-02"]);
  assert.deepEqual(await skus("q=SH-"), ["SH-01", "SH-02"]);
  assert.deepEqual(await skus("q=shoe"), ["SH-01", "SH-02"], "name, any case");
  assert.deepEqual(await skus("q=100%25"), ["SO-02"], "% is literal");
  assert.deepEqual(await skus("category=SOCKS"), ["SO-01", "SO-02"]);
  assert.deepEqual(await skus("category=SOCKS&q=wool"), ["SO-01"]);
  assert.deepEqual(await skus("category=socks"), [], "categories match exactly");

  const seen: string[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const res: { items: { sku: string; prices: number[] }[]; nextCursor: string | null } = await ok(
      "GET",
      `${path}?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    seen.push(...res.items.map((i) => i.sku));
    cursor = res.nextCursor;
  }
  assert.deepEqual(seen, ["HA-01", "SH-01", "SH-02", "SO-01", "SO-02"]);
  const first = (await ok("GET", `${path}?limit=1`)).items[0];
  assert.deepEqual(first.prices, [1999, 1799, 1599, 1499, 1299]);
  assert.equal(first.category, "HATS");
});

Deno.test("authorization and tenant isolation on items", async () => {
  const group = await newGroup();
  const path = `/merchant-groups/${group.id}/items`;
  const body = () => ({ items: [item("AUTH-1")] });
  const expected: [string, Record<string, number>][] = [
    ["GET", { owner: 200, "a-admin": 200, "a-marketing": 200, "a-support": 200 }],
    ["PUT", { owner: 200, "a-admin": 200, "a-marketing": 200, "a-support": 403 }],
  ];
  const failures: string[] = [];
  for (const [method, statuses] of expected) {
    for (const [who, status] of Object.entries({ ...statuses, "b-admin": 404, anonymous: 401 })) {
      const res = await call(tokens[who], method, path, method === "PUT" ? body() : undefined);
      if (res.status !== status) failures.push(`${method} as ${who}: ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
  const groupB = await newGroup(orgB.id);
  const b = tokens["b-admin"];
  await ok("PUT", path, { items: [item("SECRET")] });
  const own = await call(b, "GET", `/merchant-groups/${groupB.id}/items?q=SECRET`);
  assert.deepEqual(own.json.items, [], "B's group holds only B's items");
  const before = await itemCount();
  assert.equal(
    (await call(b, "PUT", path, { items: [item("SECRET", { name: "hijacked" })] })).status,
    404,
  );
  assert.equal(await itemCount(), before);
  const secret = await t.db.selectFrom("items").select("name").where("sku", "=", "SECRET")
    .executeTakeFirstOrThrow();
  assert.equal(secret.name, "Item SECRET");
  assert.equal((await call(owner, "GET", "/merchant-groups/not-a-uuid/items")).status, 404);
});

Deno.test("bad input on the item endpoints: 422 naming items.<i>.<field>, nothing written", async () => {
  const group = await newGroup();
  const path = `/merchant-groups/${group.id}/items`;
  await ok("PUT", path, { items: [item("KEEP")] });
  const cases: [unknown, string][] = [
    [{ items: [item("A", { prices: [1, 2, 3, 4] })] }, "items.0.prices"],
    [{ items: [item("A", { prices: [1, 2, 3, 4, 5, 6] })] }, "items.0.prices"],
    [{ items: [item("A"), item("B", { prices: [1, 2, -3, 4, 5] })] }, "items.1.prices.2"],
    [{ items: [item("A", { prices: [1, 2, 3, 4.5, 5] })] }, "items.0.prices.3"],
    [{ items: [item("A", { prices: [1, 2, 3, 4, "5"] })] }, "items.0.prices.4"],
    [{ items: [item("A", { prices: [2 ** 31, 2, 3, 4, 5] })] }, "items.0.prices.0"],
    [{ items: [item("A", { prices: null })] }, "items.0.prices"],
    [{ items: [item("A"), item(" ")] }, "items.1.sku"],
    [{ items: [item("x".repeat(65))] }, "items.0.sku"],
    [{ items: [item("A", { name: "" })] }, "items.0.name"],
    [{ items: [item("A", { category: "  " })] }, "items.0.category"],
    [{ items: [{ sku: "A", name: "N", prices: [1, 2, 3, 4, 5] }] }, "items.0.category"],
    [{ items: [item("A", { colour: "red" })] }, "items.0.colour"],
    [{ items: [item("A"), item("B"), item("A ")] }, "items.2.sku"],
    [{ items: [item("KEEP", { name: "changed" }), item("KEEP")] }, "items.1.sku"],
    [{ items: [] }, "items"],
    [{ items: "A1" }, "items"],
    [{}, "items"],
  ];
  const before = await itemCount();
  for (const [body, field] of cases) {
    const res = await call(owner, "PUT", path, body);
    const where = JSON.stringify(body).slice(0, 100);
    assert.equal(res.status, 422, where);
    assert.match(res.type, /problem\+json/);
    assert.ok(
      res.json.errors?.some((e: { field: string }) => e.field === field),
      `${where}: ${JSON.stringify(res.json.errors)}`,
    );
  }
  assert.equal(await itemCount(), before);
  const kept = await t.db.selectFrom("items").select("name").where("sku", "=", "KEEP")
    .where("group_id", "=", group.id).executeTakeFirstOrThrow();
  assert.equal(kept.name, "Item KEEP");
  for (
    const [query, field] of [
      ["limit=0", "limit"],
      ["cursor=%%%", "cursor"],
      [`q=${"x".repeat(201)}`, "q"],
      [`category=${"x".repeat(65)}`, "category"],
    ]
  ) {
    const res = await call(owner, "GET", `${path}?${query}`);
    assert.equal(res.status, 422, query);
    assert.equal(res.json.errors[0].field, field, query);
  }
});

Deno.test("console: the items page lists, searches, filters by category and pages", async () => {
  const group = await newGroup();
  await ok("PUT", `/merchant-groups/${group.id}/items`, {
    items: [
      ...Array.from({ length: 55 }, (_, i) => item(`P-${String(i).padStart(3, "0")}`)),
      item("Z-SOCK", { name: "Striped sock", category: "SOCKS" }),
    ],
  });
  const { cookie } = await signIn(t, "owner@example.com");
  const get = async (query: string) =>
    await (await t.request(`/console/items?group=${group.id}&${query}`, {
      headers: { Cookie: cookie },
    })).text();
  const first = await get("");
  assert.match(first, /P-000/);
  assert.doesNotMatch(first, /Z-SOCK/, "past the first page");
  const next = /href="\/console\/items\?([^"]+)" rel="next"/.exec(first)![1].replaceAll(
    "&amp;",
    "&",
  );
  const second = await (await t.request(`/console/items?${next}`, {
    headers: { Cookie: cookie },
  })).text();
  assert.match(second, /Z-SOCK/);
  assert.doesNotMatch(second, /P-000/);
  const socks = await get("category=SOCKS");
  assert.match(socks, /Striped sock/);
  assert.doesNotMatch(socks, /P-001/);
  assert.match(socks, /<option value="SOCKS" selected/);
  assert.match(await get("q=striped"), /Z-SOCK/);
  // Prices as money in the programme's currency (EUR without a sale or series), not cents.
  const row = /<code>Z-SOCK<\/code>.*?<\/tr>/s.exec(second)![0];
  assert.deepEqual(
    [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]),
    ["€19.99", "€17.99", "€15.99", "€14.99", "€12.99"],
  );
  assert.doesNotMatch(second, /minor units/);

  const other = await newGroup(orgB.id);
  const member = await signIn(t, "a-support@example.com");
  const hidden = await t.request(`/console/items?group=${other.id}`, {
    headers: { Cookie: member.cookie },
  });
  assert.equal(hidden.status, 404);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
