/**
 * The member export: the service's pages and records, and GET
 * /api/admin/v1/merchant-groups/{id}/members.csv — columns and values for a few members made
 * through the real POS and admin endpoints, quoting, filters, the location the settings may
 * require, bad input, roles and the one audit entry per export.
 */
import assert from "node:assert/strict";
import { adminCall, createTestApp, problemOf, signIn, type TestApp } from "../helpers/app.ts";
import { parseCsv } from "../helpers/csv.ts";
import { buildWorld, configure, memberRule, posCall, publishRules } from "../helpers/world.ts";
import { exportMembers, MemberExportFilterSchema } from "../../members/export.ts";
import { getSettings } from "../../programme/settings.ts";

const t: TestApp = await createTestApp();

const A = await buildWorld(t, {
  name: "Acme",
  store: { number: 11, name: "Opéra" },
  moreStores: [{ number: 12 }],
  member: null,
  settings: {
    categoryNames: ["Customer type", "Region", "Category 3", "", "Category 5"],
    showKeyLineTotal: true,
    keyLineTotalReferenceMatch: "ONBO",
  },
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, { name: "Bolt", staff: { "b-admin": "admin" } });
const owner = A.ownerToken;

// 1 point per unit of currency, and 0.1 per unit under ONBO (the key line).
await publishRules(t, A, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
  memberRule("onbo", { type: "basic-points", params: { pointsPerUnit: 0.1 } }, {
    priority: 5,
    reference: "ONBO",
  }),
]);

async function newCustomer(body: Record<string, unknown>) {
  const res = await adminCall(t, owner, "POST", `/merchant-groups/${A.group.id}/customers`, body);
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json as { id: string; number: string; cards: { number: string }[] };
}

const TRICKY = 'Lefèvre, Zoé "la grande"';
const zoe = await newCustomer({
  number: "C001",
  name: TRICKY,
  email: "zoe@example.com",
  phone: "+33 6 12 34 56 78",
  homeStoreNumber: 11,
  categories: ["GOLD", "NORTH"],
});
const bob = await newCustomer({ number: "C002", name: "Bob Plain", categories: ["SILVER"] });
await newCustomer({
  number: "C003",
  name: "Two\nLines; ünïcödé 日本",
  homeStoreNumber: 11,
  categories: ["GOLD", null, "X3"],
});
// Bob came in early 2024 (written behind the API's back: nothing else sets a creation time).
await t.db.updateTable("customers").set({ created_at: new Date("2024-01-15T10:00:00Z") })
  .where("id", "=", bob.id).execute();

// Zoé buys for 42.50: 42.50 + 4.25 points, one visit.
const saleAt = new Date();
const sold = await posCall(t, A.posToken, "POST", "/sales", {
  body: {
    currency: "EUR",
    at: saleAt.toISOString(),
    receiptNumber: "R1",
    customer: { number: "C001" },
    lines: [{ sku: "SKU1", category: "GOODS", quantity: 1, unitPrice: 4250 }],
    tenders: [{ type: "CASH", amount: 4250 }],
  },
  key: "sale-R1",
});
assert.equal(sold.status, 201, JSON.stringify(sold.json));
const today = saleAt.toISOString().slice(0, 10);

const csvPath = (query = "", group = A.group.id) =>
  `/merchant-groups/${group}/members.csv${query ? `?${query}` : ""}`;

async function exportCsv(query = "", token = owner) {
  const res = await t.request(`/api/admin/v1${csvPath(query)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, rows: parseCsv(new TextDecoder().decode(bytes)) };
}

const exportAudits = () =>
  t.db.selectFrom("audit_log").selectAll().where("action", "=", "export-members")
    .where("org_id", "=", A.org.id).orderBy("at").orderBy("id").execute();

const HEADER = [
  "Customer number",
  "Card numbers",
  "Name",
  "Email",
  "Phone",
  "Category 1: Customer type",
  "Category 2: Region",
  "Category 3",
  "Category 4",
  "Category 5",
  "Home store",
  "Points balance",
  "Key line total",
  "Visits",
  "Sales",
  "Spend (minor units)",
  "First visit",
  "Last visit",
  "Created",
];

Deno.test("members.csv: UTF-8 with a BOM and a header, a row per member with its figures", async () => {
  const { res, bytes, rows } = await exportCsv();
  assert.equal(res.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(res.headers.get("Content-Disposition"), 'attachment; filename="Acme-members.csv"');
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark");
  assert.deepEqual(rows[0], HEADER);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), ["C001", "C002", "C003"], "by number");
  assert.ok(rows.every((r) => r.length === HEADER.length));
  const [z, b, l] = rows.slice(1);
  const created = await t.db.selectFrom("customers").select(["number", "created_at"])
    .where("group_id", "=", A.group.id).execute();
  const createdOf = (n: string) =>
    new Date(created.find((c) => c.number === n)!.created_at).toISOString();
  const stats = await t.db.selectFrom("customer_statistics").selectAll()
    .where("customer_id", "=", zoe.id).executeTakeFirstOrThrow();
  assert.deepEqual(z, [
    "C001",
    zoe.cards.map((c) => c.number).join(" "),
    TRICKY,
    "zoe@example.com",
    "+33612345678",
    "GOLD",
    "NORTH",
    "",
    "",
    "",
    "11",
    "46.75",
    "4.25",
    "1",
    "1",
    "4250",
    new Date(stats.first_visit!).toISOString(),
    new Date(stats.last_visit!).toISOString(),
    createdOf("C001"),
  ]);
  assert.deepEqual(b, [
    "C002",
    "C002",
    "Bob Plain",
    "",
    "",
    "SILVER",
    "",
    "",
    "",
    "",
    "",
    "0.00",
    "0.00",
    "0",
    "0",
    "0",
    "",
    "",
    "2024-01-15T10:00:00.000Z",
  ]);
  assert.equal(l[2], "Two\nLines; ünïcödé 日本", "a line break and accents kept in the field");
  assert.deepEqual(l.slice(5, 10), ["GOLD", "", "X3", "", ""]);
  // The quoting is the library's: the tricky name is one quoted field, its quotes doubled.
  assert.ok(new TextDecoder().decode(bytes).includes(`,"Lefèvre, Zoé ""la grande""",`));
});

Deno.test("members.csv: the key line total column is empty while the programme hides it", async () => {
  await configure(t, owner, A.group.id, { showKeyLineTotal: false });
  try {
    const { rows } = await exportCsv();
    assert.deepEqual(rows.slice(1).map((r) => r[12]), ["", "", ""]);
    assert.equal(rows[1][11], "46.75");
  } finally {
    await configure(t, owner, A.group.id, { showKeyLineTotal: true });
  }
});

Deno.test("members.csv: filters by home store, category, created and last visit", async () => {
  const numbers = async (query: string) => (await exportCsv(query)).rows.slice(1).map((r) => r[0]);
  assert.deepEqual(await numbers("homeStoreNumber=11"), ["C001", "C003"]);
  assert.deepEqual(await numbers("categoryCode=gold"), ["C001", "C003"], "category 1, any case");
  assert.deepEqual(await numbers("categoryNumber=2&categoryCode=NORTH"), ["C001"]);
  assert.deepEqual(await numbers("categoryNumber=3&categoryCode=X3&homeStoreNumber=11"), ["C003"]);
  assert.deepEqual(await numbers("createdTo=2024-12-31"), ["C002"]);
  assert.deepEqual(await numbers("createdFrom=2024-01-15&createdTo=2024-01-15"), ["C002"]);
  assert.deepEqual(await numbers("createdFrom=2025-01-01"), ["C001", "C003"]);
  assert.deepEqual(await numbers(`lastVisitFrom=${today}&lastVisitTo=${today}`), ["C001"]);
  assert.deepEqual(await numbers("lastVisitTo=2024-12-31"), []);
  assert.deepEqual((await exportCsv("categoryCode=NONE")).rows, [HEADER], "the header alone");
});

Deno.test("members.csv: bad filters are 422 naming the field, and no export is audited", async () => {
  const before = (await exportAudits()).length;
  const cases: [string, string][] = [
    ["homeStoreNumber=abc", "homeStoreNumber"],
    ["homeStoreNumber=12", "homeStoreNumber"],
    ["homeStoreNumber=99", "homeStoreNumber"],
    ["categoryNumber=6&categoryCode=A", "categoryNumber"],
    ["categoryNumber=2", "categoryCode"],
    ["createdFrom=2024-13-01", "createdFrom"],
    ["lastVisitTo=yesterday", "lastVisitTo"],
    ["createdFrom=2024-02-01&createdTo=2024-01-31", "createdTo"],
  ];
  for (const [query, field] of cases) {
    const res = await adminCall(t, owner, "GET", csvPath(query));
    assert.equal(res.status, 422, query);
    const problem = await problemOf(res);
    assert.equal(problem.type.endsWith("validation"), true, query);
    assert.ok(problem.errors.some((e: { field: string }) => e.field === field), query);
  }
  assert.equal((await exportAudits()).length, before);
});

Deno.test("members.csv: with exportCustomersRequiresLocation on, the location is required", async () => {
  await configure(t, owner, A.group.id, { exportCustomersRequiresLocation: true });
  try {
    const before = (await exportAudits()).length;
    const res = await adminCall(t, owner, "GET", csvPath("categoryCode=GOLD"));
    assert.equal(res.status, 422);
    const problem = await problemOf(res);
    assert.deepEqual(problem.errors.map((e: { field: string }) => e.field), ["homeStoreNumber"]);
    assert.match(problem.errors[0].message, /required/);
    assert.equal((await exportAudits()).length, before, "a refused export is not audited");
    const { rows } = await exportCsv("homeStoreNumber=11");
    assert.equal(rows.length, 3);
  } finally {
    await configure(t, owner, A.group.id, { exportCustomersRequiresLocation: false });
  }
});

Deno.test("members.csv: admin and marketing export; support 403, another org 404, nobody 401", async () => {
  for (const who of ["a-admin", "a-marketing"]) {
    assert.equal((await exportCsv("", A.staff[who].token)).rows.length, 4, who);
  }
  const before = (await exportAudits()).length;
  assert.equal((await adminCall(t, A.staff["a-support"].token, "GET", csvPath())).status, 403);
  assert.equal((await adminCall(t, B.staff["b-admin"].token, "GET", csvPath())).status, 404);
  assert.equal((await adminCall(t, null, "GET", csvPath())).status, 401);
  assert.equal(
    (await adminCall(t, B.staff["b-admin"].token, "GET", csvPath("", B.group.id))).status,
    200,
    "B's admin exports B",
  );
  assert.equal((await exportAudits()).length, before);
});

Deno.test("members.csv: one audit entry per export — who, the filter, the rows", async () => {
  const before = (await exportAudits()).length;
  await exportCsv("homeStoreNumber=11&categoryCode=gold", A.staff["a-marketing"].token);
  const entries = await exportAudits();
  assert.equal(entries.length, before + 1);
  const entry = entries[entries.length - 1];
  assert.equal(entry.entity, "merchant-group");
  assert.equal(entry.entity_id, A.group.id);
  assert.equal(entry.actor_id, A.staff["a-marketing"].id);
  assert.equal(entry.actor_label, A.staff["a-marketing"].email);
  assert.equal(entry.before, null);
  assert.deepEqual(entry.after, {
    filter: { homeStoreNumber: 11, categoryCode: "GOLD" },
    rows: 2,
    completed: true,
  });
});

Deno.test("export service: a page per pull, every member once; a client that stops is audited as such", async () => {
  const { settings } = await getSettings(t.db, A.group);
  const filter = MemberExportFilterSchema.parse({});
  const actor = A.owner;
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  for await (
    const chunk of await exportMembers(t.db, A.group, settings, filter, actor, {
      pageSize: 2,
    })
  ) chunks.push(decoder.decode(chunk, { stream: true }));
  assert.equal(chunks.length, 3, "the header, a page of two, a page of one");
  assert.deepEqual(parseCsv(chunks.join("")).slice(1).map((r) => r[0]), ["C001", "C002", "C003"]);

  const before = (await exportAudits()).length;
  const reader = (await exportMembers(t.db, A.group, settings, filter, actor, { pageSize: 1 }))
    .getReader();
  await reader.read();
  assert.match(decoder.decode((await reader.read()).value), /^C001,/);
  await reader.cancel();
  const entries = await exportAudits();
  assert.equal(entries.length, before + 1);
  assert.deepEqual(entries[entries.length - 1].after, { filter: {}, rows: 1, completed: false });
});

Deno.test("console: the Customers page's export form downloads the CSV; a refused one says why", async () => {
  const { cookie } = await signIn(t, A.staff["a-marketing"].email);
  const page = (path: string) => t.request(path, { headers: { Cookie: cookie } });
  const list = await (await page(`/console/customers?group=${A.group.id}`)).text();
  assert.match(list, /<h2 id="export-heading">Export members<\/h2>/);
  assert.match(list, /<option value="11">11 Opéra<\/option>/, "the programme's stores");
  assert.doesNotMatch(list, /<option value="12">/, "not a store outside the programme");

  // Every field sent, most empty, as a browser sends the form.
  const form = (fields: Record<string, string>) =>
    new URLSearchParams({
      group: A.group.id,
      homeStoreNumber: "",
      categoryNumber: "1",
      categoryCode: "",
      createdFrom: "",
      createdTo: "",
      lastVisitFrom: "",
      lastVisitTo: "",
      ...fields,
    });
  const ok = await page(`/console/customers/export?${form({ homeStoreNumber: "11" })}`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("Content-Disposition"), 'attachment; filename="Acme-members.csv"');
  assert.deepEqual(parseCsv(await ok.text()).map((r) => r[0]), [HEADER[0], "C001", "C003"]);

  const bad = await page(`/console/customers/export?${form({ createdFrom: "2024-02-30" })}`);
  assert.equal(bad.status, 422);
  const html = await bad.text();
  assert.match(html, /Nothing was exported/);
  assert.match(html, /id="export-createdFrom-error"[^>]*>not a date</);

  await configure(t, owner, A.group.id, { exportCustomersRequiresLocation: true });
  try {
    const required = await (await page(`/console/customers?group=${A.group.id}`)).text();
    assert.match(required, /<select name="homeStoreNumber" required>/, "marked required");
    const refused = await page(`/console/customers/export?${form({})}`);
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /id="export-homeStoreNumber-error"[^>]*>required/);
  } finally {
    await configure(t, owner, A.group.id, { exportCustomersRequiresLocation: false });
  }

  const support = await signIn(t, A.staff["a-support"].email);
  const theirs = await t.request(`/console/customers?group=${A.group.id}`, {
    headers: { Cookie: support.cookie },
  });
  assert.doesNotMatch(await theirs.text(), /Export members/, "support sees no export form");
  const refusedToSupport = await t.request(`/console/customers/export?${form({})}`, {
    headers: { Cookie: support.cookie },
  });
  assert.equal(refusedToSupport.status, 403);
  await refusedToSupport.body?.cancel();
});

Deno.test({ name: "close the test app", fn: () => t.close() });
