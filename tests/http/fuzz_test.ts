/**
 * The fuzz, as a property of the whole HTTP surface: for every operation of the OpenAPI
 * document (admin and POS, with their credentials), fast-check generates requests from the
 * operation's schemas and mutates them (tests/helpers/openapi_fuzz.ts); no answer is a 5xx,
 * and every 4xx is problem+json with its status and title (and `errors` on a 422). The
 * console's pages, which the document does not describe, get bad ids, queries and form posts.
 * Every operation of the document is exercised, and every route of the app is in the document
 * or in the short list of pages below: a route added without validation fails here.
 *
 * FUZZ_SEED replays a run (the seed is printed, and fast-check prints seed and path of a
 * counterexample). Under CI the seed is fixed, so a submission is judged on the same requests
 * every run; elsewhere it is random, so developers' runs keep exploring. FUZZ_RUNS sets the runs per operation; FUZZ_ONLY runs only the operations
 * and pages whose name holds it.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { upsertItems } from "../../catalogue/items.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import { adminCall, createTestApp, ORIGIN, PASSWORD, signIn } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { makeCard, makeSeries } from "../helpers/instruments.ts";
import {
  type Examples,
  formBody,
  type FuzzContext,
  type FuzzRequest,
  type Hints,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  rawBody,
  requestsFor,
} from "../helpers/openapi_fuzz.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const seed = Number(
  Deno.env.get("FUZZ_SEED") ??
    (Deno.env.get("CI") === "true" ? 2022 : Math.floor(Math.random() * 2 ** 31)),
);
const RUNS = Number(Deno.env.get("FUZZ_RUNS") ?? 60);
const PAGE_RUNS = Math.ceil(RUNS / 2);
/** Only the operations and pages whose name holds this (to replay one), e.g. `POST /api/pos`. */
const ONLY = Deno.env.get("FUZZ_ONLY");

const t = await createTestApp();
const w = await buildWorld(t, { name: "Fuzz", staff: { "fz-admin": "admin" } });
const member = w.member!.customer;
const gift = await makeSeries(t, w);
const credit = await makeSeries(t, w, { type: "store-credit" });
const couponSeries = await makeSeries(t, w, { type: "coupon" });
const cards = [
  await makeCard(t, w, gift, { balance: 1_000_000 }),
  await makeCard(t, w, gift, { balance: 500 }),
  await makeCard(t, w, gift, { status: "inactive" }),
  await makeCard(t, w, gift, { status: "blocked", balance: 100 }),
  await makeCard(t, w, credit, { balance: 100_000 }),
];
const generation = await startGeneration(t.db, couponSeries, {
  count: 3,
  key: "fuzz",
  actor: w.owner,
});
await runGeneration(t.db, generation.id);
const coupons = await t.db.selectFrom("instruments").select(["id", "number"])
  .where("series_id", "=", couponSeries.id).execute();
await upsertItems(t.db, w.group, [
  { sku: "SKU1", name: "Shoe", category: "SHOES", prices: [2500, 2400, 2300, 2200, 2100] },
  { sku: "SKU2", name: "Hat", category: "HATS", prices: [1000, 900, 800, 700, 600] },
], w.owner);
await publishRules(t, w, [
  memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
]);
const firstSale = {
  currency: "EUR",
  at: new Date().toISOString(),
  receiptNumber: "F-1",
  customer: { number: member.number },
  lines: [{ sku: "SKU1", category: "SHOES", quantity: 2, unitPrice: 2500 }],
  tenders: [{ type: "CASH", amount: 5000 }],
};
const sold = await posCall(t, w.posToken, "POST", "/sales", { body: firstSale, key: "fuzz-sale" });
assert.equal(sold.status, 201, JSON.stringify(sold.json));
const spareToken = await adminCall(t, w.ownerToken, "POST", `/pos/${w.pos.id}/tokens`, {
  label: "spare",
});
const session = await signIn(t, w.owner.email);
const doc: OpenApiDocument = await (await t.request("/openapi.json")).json();

const hints: Hints = {
  organizations: fc.constant(w.org.id),
  sites: fc.constant(w.site.id),
  stores: fc.constant(w.store.id),
  pos: fc.constant(w.pos.id),
  merchants: fc.constant(w.merchant.id),
  "merchant-groups": fc.constant(w.group.id),
  series: fc.constantFrom(gift.id, credit.id, couponSeries.id),
  customers: fc.constant(member.id),
  instruments: fc.constantFrom(...cards.map((c) => c.id), coupons[0].id),
  generations: fc.constant(generation.id),
  staffId: fc.constant(w.staff["fz-admin"].id),
  jti: fc.constant(spareToken.json.jti as string),
  organizationId: fc.constant(w.org.id),
  merchantId: fc.constant(w.merchant.id),
  merchantGroupId: fc.constant(w.group.id),
  siteId: fc.constant(w.site.id),
  storeId: fc.constant(w.store.id),
  posId: fc.constant(w.pos.id),
  storeIds: fc.constant([w.store.id]),
  actorId: fc.constant(w.owner.id),
  entityId: fc.constant(w.group.id),
  seriesId: fc.constantFrom(gift.id, credit.id),
  customerId: fc.constant(member.id),
  principal: fc.constant(w.pos.id),
  currency: fc.constantFrom("EUR", "EUR", "EUR", "USD"),
  number: fc.constantFrom(...cards.map((c) => c.number), member.number),
  card: fc.constantFrom(member.number, cards[0].number),
  code: fc.constantFrom(...coupons.map((c) => c.number)),
  sku: fc.constantFrom("SKU1", "SKU2", "NOPE"),
  category: fc.constantFrom("SHOES", "HATS"),
  type: fc.constantFrom("CASH", "points", "giftCard", "storeCredit"),
  receiptNumber: fc.oneof(fc.constant("F-1"), fc.uuid().map((u) => `F-${u.slice(0, 8)}`)),
  email: fc.constantFrom(w.owner.email, "fz@example.com"),
  password: fc.constant(PASSWORD),
  timezone: fc.constantFrom("Europe/Paris", "UTC", "Mars/Olympus"),
  n: fc.constant("1"),
  // A generation of 100,000 cards is legitimate, and slow: every later page lists them.
  "count:integer": fc.integer({ min: 1, max: 5 }),
  "version:integer": fc.integer({ min: 1, max: 10 }),
  "draftVersion:integer": fc.integer({ min: 1, max: 10 }),
};

const receipt = fc.uuid().map((u) => `F-${u.slice(0, 8)}`);
/** Now, mostly; sometimes a time at the edges of ISO 8601 and of the clocks' offsets. */
const now = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null).map(() => new Date().toISOString()) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "9999-12-31T23:59:59Z",
      "0001-01-01T00:00:00Z",
      "2000-01-01T00:00:00+14:00",
      "2099-12-31T23:59:59-12:00",
      "1970-01-01T00:00:00Z",
    ),
  },
);
const examples: Examples = {
  SaleRequest: fc.record({
    receiptNumber: receipt,
    at: now,
    tenders: fc.constantFrom<unknown[]>(
      [{ type: "CASH", amount: 5000 }],
      [{ type: "giftCard", number: cards[0].number, amount: 3000 }, { type: "CASH", amount: 2000 }],
      [{ type: "storeCredit", number: cards[4].number, amount: 5000 }],
      [{ type: "points", points: 10 }, { type: "CASH", amount: 4990 }],
    ),
    coupons: fc.option(fc.constant([coupons[0].number]), { nil: undefined }),
  }).map(({ coupons, ...r }) => ({
    ...firstSale,
    ...r,
    ...(coupons ? { coupons } : {}),
  })),
  ReturnRequest: fc.record({ receiptNumber: receipt, at: now }).map((r) => ({
    ...r,
    original: { receiptNumber: "F-1" },
    lines: [{ originalLineIndex: 0, sku: "SKU1", quantity: 1, unitPrice: 2500 }],
    tenders: [{ type: "CASH", amount: -2500 }],
  })),
  QuoteRequest: fc.constant({
    currency: "EUR",
    customer: { number: member.number },
    lines: firstSale.lines,
    tenders: firstSale.tenders,
  }),
  NewCustomer: fc.uuid().map((u) => ({ name: `Fuzz ${u.slice(0, 8)}`, categories: ["GOLD"] })),
  VersionedLoyaltySettings: hints["version:integer"].map((version) => ({
    version,
    settings: w.settings,
  })),
};

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const garbage = { Authorization: "Bearer not.a.token" };
const sessionHeaders = { Cookie: session.cookie, "X-CSRF-Token": session.csrf };
const credentialsFor = (path: string): fc.Arbitrary<Record<string, string>> =>
  path.startsWith("/api/pos/")
    ? fc.oneof(
      { weight: 12, arbitrary: fc.constant(bearer(w.posToken)) },
      { weight: 1, arbitrary: fc.constantFrom({}, garbage, bearer(w.ownerToken)) },
      { weight: 1, arbitrary: fc.constant(bearer(w.siteToken)) },
    )
    : path.startsWith("/api/admin/")
    ? fc.oneof(
      { weight: 10, arbitrary: fc.constant(bearer(w.ownerToken)) },
      { weight: 1, arbitrary: fc.constant(bearer(w.staff["fz-admin"].token)) },
      { weight: 2, arbitrary: fc.constant(sessionHeaders) },
      { weight: 1, arbitrary: fc.constant({ Cookie: session.cookie }) },
      { weight: 1, arbitrary: fc.constantFrom({}, garbage, bearer(w.posToken)) },
    )
    : fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.constantFrom(garbage, bearer(w.ownerToken)) },
    );

let requests = 0;
/** Answers 2xx: requests that went past validation into the services. */
let successes = 0;
let serverErrors = 0;
const exercised = new Set<string>();

/** Sends one request; what is wrong with the answer, if anything. */
async function fault(req: FuzzRequest, api: boolean): Promise<string | undefined> {
  requests++;
  const res = await t.request(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : req.body,
  });
  const type = res.headers.get("Content-Type") ?? "";
  const text = await res.text();
  if (res.status < 300) successes++;
  if (res.status >= 500) {
    serverErrors++;
    return `${res.status}: ${text.slice(0, 300)}`;
  }
  if (res.status < 400) {
    // An offline batch answers 200 with each transaction's own status.
    const inner = type.includes("json") ? JSON.parse(text)?.results : undefined;
    if (Array.isArray(inner) && inner.some((r) => r.status >= 500)) {
      serverErrors++;
      return `${res.status} with a 5xx inside: ${text.slice(0, 300)}`;
    }
    return;
  }
  if (!api && type.startsWith("text/html")) return;
  if (!type.startsWith("application/problem+json")) return `${res.status} as ${type}`;
  const problem = JSON.parse(text);
  if (problem.status !== res.status || typeof problem.title !== "string" || !problem.title) {
    return `${res.status}: not a problem: ${text.slice(0, 300)}`;
  }
  if (res.status === 422) {
    const ok = Array.isArray(problem.errors) && problem.errors.length > 0 &&
      problem.errors.every((e: { field: unknown; message: unknown }) =>
        typeof e.field === "string" && typeof e.message === "string"
      );
    if (!ok) return `422 without errors: ${text.slice(0, 300)}`;
  }
}

const failures: string[] = [];

/** Runs `property` with the run's seed; a counterexample is kept, and the next one runs. */
async function check(name: string, arb: fc.Arbitrary<FuzzRequest>, api: boolean, runs: number) {
  if (ONLY && !name.includes(ONLY)) return;
  exercised.add(name);
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (req) => {
        const wrong = await fault(req, api);
        if (wrong) throw new Error(wrong);
      }),
      { seed: seed + exercised.size, numRuns: runs },
    );
  } catch (err) {
    failures.push(`${name}: ${err instanceof Error ? err.message.slice(0, 1500) : err}`);
  }
}

const operations = operationsOf(doc);
const key = (method: string, path: string) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`;
const documented = new Set(operations.map((o) => key(o.method, o.path)));

/**
 * The app's routes the document does not describe: middleware, assets, the document and its
 * reader, and the console's pages (HTML and form posts, fuzzed as pages below).
 */
const NOT_IN_DOCUMENT = [
  /^ALL \/\*$/,
  /^ALL \/api\/pos\/v1\/\*$/,
  /^GET \/assets\/:file$/,
  /^GET \/favicon(-[0-9a-z]+\.svg|\.ico)$/,
  /^GET \/(openapi\.json|docs\/api)$/,
  /^(GET|POST) \/(setup|login|logout|invite\/:token|console(\/[\w:/-]+)?)?$/,
];
const appRoutes = [...new Set(t.app.routes.map((r) => `${r.method} ${r.path}`))];
const pages = appRoutes.filter((r) => !documented.has(r) && !/^ALL |\/assets\//.test(r));

/** The POS first, destructive operations last (the world's rows are gone after them). */
const phase = (o: Operation) => o.path.startsWith("/api/pos/") ? 0 : o.method === "DELETE" ? 2 : 1;
operations.sort((a, b) => phase(a) - phase(b));

Deno.test(`fuzz: every route of the app is in the OpenAPI document or a page (${testBackend})`, () => {
  const unexplained = appRoutes.filter((r) =>
    !documented.has(r) && !NOT_IN_DOCUMENT.some((re) => re.test(r))
  );
  assert.deepEqual(unexplained, [], "document these routes (or list a page in NOT_IN_DOCUMENT)");
  for (const op of documented) {
    assert.ok(appRoutes.includes(op), `${op} is documented but not routed`);
  }
});

Deno.test(`fuzz: generated and mutated requests, no 5xx (${testBackend})`, async () => {
  const fuzzOperations = async (phases: number[]) => {
    for (const o of operations.filter((o) => phases.includes(phase(o)))) {
      const ctx: FuzzContext = { doc, hints, examples, credentials: credentialsFor(o.path) };
      await check(key(o.method, o.path), requestsFor(ctx, o), true, RUNS);
    }
  };
  await fuzzOperations([0]);
  // The pages before the admin API fills the registry: the owner's pages list everything.
  await fuzzPages(pages.filter((p) => p !== "POST /logout"));
  await fuzzOperations([1, 2]);
  await fuzzPages(["POST /logout"]);

  console.log(
    `fuzz (${testBackend}): seed ${seed} (FUZZ_SEED=${seed} replays), ${operations.length} ` +
      `operations and ${pages.length} pages, ${requests} requests, ${successes} answered 2xx, ` +
      `${serverErrors} answered 5xx`,
  );
  assert.deepEqual(failures, []);
  if (ONLY) return;
  assert.equal(
    operations.filter((o) => exercised.has(key(o.method, o.path))).length,
    operations.length,
    "every operation of the document is exercised",
  );
  assert.equal(pages.filter((p) => exercised.has(p)).length, pages.length);
  // A fuzz whose credentials or examples broke would only ever hear 401s and 422s.
  assert.ok(successes > requests / 10, `only ${successes} of ${requests} answers were 2xx`);
});

/** Path parameters of pages, by name (`:id` by the collection before it). */
function pageParam(route: string, name: string): fc.Arbitrary<string> {
  const collection = new RegExp(`/([^/]+)/:${name}`).exec(route)?.[1] ?? "";
  const good = name === "orgId"
    ? hints.organizations
    : name === "groupId"
    ? hints["merchant-groups"]
    : hints[collection] ?? fc.uuid();
  return fc.oneof(
    { weight: 6, arbitrary: (good as fc.Arbitrary<string>).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.uuid() },
    {
      weight: 2,
      arbitrary: fc.constantFrom("abc", "%00", "%zz", "%E0%A4%A", "a".repeat(5_000), "1"),
    },
  );
}

/** The console's pages: GETs with bad ids and queries, POSTs with form (and other) bodies. */
async function fuzzPages(routes: string[]) {
  const fields = new Set(["q", "cursor", "limit", "status", "next"]);
  for (const route of routes.filter((r) => r.startsWith("GET "))) {
    const url = route.slice(4).replace(/:(\w+)/g, (_, n) => fc.sample(pageParam(route, n), 1)[0]);
    const html = await (await t.request(url, { headers: { Cookie: session.cookie } })).text();
    for (const [, name] of html.matchAll(/name="([\w.\[\]-]+)"/g)) fields.add(name);
  }
  const vocabulary = [...fields];
  for (const route of routes) {
    const [method, path] = route.split(" ");
    const url = fc.tuple(
      fc.tuple(...[...path.matchAll(/:(\w+)/g)].map(([, n]) => pageParam(route, n)))
        .map((values) => values.reduce((p, v) => p.replace(/:\w+/, v), path)),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant("") },
        {
          weight: 2,
          arbitrary: fc.dictionary(
            fc.constantFrom(...vocabulary),
            fc.constantFrom("1", "-1", "abc", "\u0000", "x".repeat(3_000), "", "%"),
            { maxKeys: 3 },
          ).map((q) => new URLSearchParams(q).toString()),
        },
        { weight: 1, arbitrary: fc.constantFrom("q=1&".repeat(500), "%zz", "a=%E0%A4%A") },
      ),
    ).map(([p, q]) => q ? `${p}?${q}` : p);
    const cookie = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ Cookie: session.cookie }) },
      { weight: 1, arbitrary: fc.constant({}) },
    );
    const body: fc.Arbitrary<{ body?: string; type?: string }> = method === "GET"
      ? fc.constant({})
      : fc.oneof(
        {
          weight: 8,
          arbitrary: formBody(
            vocabulary,
            fc.oneof(
              { weight: 6, arbitrary: fc.constant(session.csrf) },
              { weight: 1, arbitrary: fc.constantFrom(undefined, "wrong") },
            ),
          ).map((b) => ({ body: b, type: "application/x-www-form-urlencoded" })),
        },
        {
          weight: 1,
          arbitrary: rawBody.map((b) => ({ body: b, type: "application/json" })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { body: "--x\r\nContent-Disposition: form-data", type: "multipart/form-data" },
            { body: "a=1", type: "multipart/form-data; boundary=x" },
            { body: `_csrf=${session.csrf}&${"a=%00&".repeat(100)}`, type: "text/plain" },
            {
              body: `_csrf=wrong&_csrf=${session.csrf}&${"name=x&".repeat(20_000)}`,
              type: "application/x-www-form-urlencoded",
            },
            {
              body: `_csrf=${session.csrf}&%zz=%E0%A4%A&=`,
              type: "application/x-www-form-urlencoded",
            },
          ),
        },
      );
    const requests = fc.record({ url, cookie, body }).map(({ url, cookie, body }) => ({
      method,
      url,
      headers: { Origin: ORIGIN, ...cookie, ...(body.type ? { "Content-Type": body.type } : {}) },
      body: body.body,
    }));
    await check(route, requests, false, PAGE_RUNS);
  }
}

Deno.test("fuzz: close", async () => {
  await t.close();
});
