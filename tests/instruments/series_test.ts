import assert from "node:assert/strict";
import { sql } from "kysely";
import {
  backgroundSettled,
  generateBatch,
  getGeneration,
  startGeneration,
} from "../../instruments/generation.ts";
import { isValidNumber } from "../../instruments/numbers.ts";
import { getSeries } from "../../instruments/series.ts";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, {
  name: "Acme",
  groupName: "Acme Rewards",
  member: null,
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, {
  name: "Bolt",
  groupName: "Bolt Rewards",
  member: null,
  staff: { "b-admin": "admin" },
});
const ownerUser = A.owner;
const owner = A.ownerToken;
const tokens: Record<string, string> = { owner, ...staffTokens(A, B) };

async function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const answer = await adminCall(t, token, method, path, body, headers);
  if (answer.status >= 400) assert.match(answer.type, /^application\/problem\+json/);
  return answer;
}

const generate = (token: string, seriesId: string, count: unknown, key?: string) =>
  call(
    token,
    "POST",
    `/series/${seriesId}/instruments`,
    { count },
    key === undefined ? {} : { "Idempotency-Key": key },
  );

/** Polls the generation like the console does, until it is no longer running. */
async function finished(token: string, generationId: string, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status, json } = await call(token, "GET", `/generations/${generationId}`);
    assert.equal(status, 200);
    if (json.generation.status !== "running") {
      await backgroundSettled(generationId);
      return json.generation;
    }
    if (Date.now() > until) throw new Error(`generation ${generationId} still running`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const fieldsOf = (problem: { errors?: { field: string }[] }) =>
  (problem.errors ?? []).map((e) => e.field);

async function counts() {
  const [series, generations, instruments] = await Promise.all(
    (["series", "instrument_generations", "instruments"] as const).map(async (table) =>
      Number(
        (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()).n,
      )
    ),
  );
  return { series, generations, instruments };
}

const giftCards = (await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
  name: "Gift cards",
  type: "gift-card",
  prefix: "6012",
  currency: "EUR",
  initialValue: 2500,
  expiryDays: 365,
})).json;

Deno.test("a series is created with its defaults, read back and audited", async () => {
  assert.equal(giftCards.type, "gift-card");
  assert.deepEqual(
    {
      prefix: giftCards.prefix,
      currency: giftCards.currency,
      initialValue: giftCards.initialValue,
      expiryDays: giftCards.expiryDays,
      maxUses: giftCards.maxUses,
      merchantGroupId: giftCards.merchantGroupId,
    },
    {
      prefix: "6012",
      currency: "EUR",
      initialValue: 2500,
      expiryDays: 365,
      maxUses: null,
      merchantGroupId: A.group.id,
    },
  );
  const read = await call(tokens["a-support"], "GET", `/series/${giftCards.id}`);
  assert.equal(read.status, 200);
  assert.deepEqual(read.json, giftCards);
  const audit = await t.db.selectFrom("audit_log").selectAll()
    .where("entity", "=", "series").where("entity_id", "=", giftCards.id).execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0].action, "create");
  assert.equal(audit[0].actor_id, ownerUser.id);
});

Deno.test("coupon series: max uses defaults to single use, null means unlimited", async () => {
  const single = await call(
    tokens["a-marketing"],
    "POST",
    `/merchant-groups/${A.group.id}/series`,
    {
      name: "Spring coupons",
      type: "coupon",
      prefix: "SPR",
      currency: "EUR",
      benefit: { kind: "amountOff", amount: 500 },
    },
  );
  assert.equal(single.status, 201);
  assert.equal(single.json.maxUses, 1);
  assert.equal(single.json.initialValue, 0);
  assert.equal(single.json.expiryDays, null);
  assert.deepEqual(single.json.benefit, { kind: "amountOff", amount: 500 });
  assert.equal(single.json.startsAt, null);
  const unlimited = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
    name: "Staff coupons",
    type: "coupon",
    prefix: "STF",
    currency: "EUR",
    maxUses: null,
    benefit: { kind: "bonusPoints", points: 12.5 },
  });
  assert.equal(unlimited.json.maxUses, null);
  assert.deepEqual(unlimited.json.benefit, { kind: "bonusPoints", points: 12.5 });
  const loyalty = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
    name: "Loyalty cards",
    type: "loyalty-card",
    prefix: "9",
    currency: "EUR",
    maxUses: null,
  });
  assert.equal(loyalty.status, 201, JSON.stringify(loyalty.json));
  assert.equal(loyalty.json.benefit, null);
  assert.equal(loyalty.json.startsAt, null);
});

Deno.test("coupon series: the benefit and start time are stored, shown and audited", async () => {
  const body = {
    name: "Shoe week",
    type: "coupon",
    prefix: "SHW",
    currency: "EUR",
    maxUses: 3,
    benefit: { kind: "percentOff", percent: 12.5, selector: { categories: ["SHOES"] } },
    startsAt: "2026-06-01T09:00:00+02:00",
  };
  const res = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, body);
  assert.equal(res.status, 201, JSON.stringify(res.json));
  assert.deepEqual(res.json.benefit, body.benefit);
  assert.equal(res.json.startsAt, "2026-06-01T07:00:00.000Z");
  assert.deepEqual((await call(owner, "GET", `/series/${res.json.id}`)).json, res.json);
  const points = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
    ...body,
    prefix: "PTS",
    benefit: { kind: "bonusPoints", points: 0.25 },
  });
  const stored = await t.db.selectFrom("series").select(["coupon_benefit", "starts_at"])
    .where("id", "in", [res.json.id, points.json.id]).orderBy("prefix", "desc").execute();
  assert.deepEqual(stored.map((s) => s.coupon_benefit), [
    body.benefit,
    { kind: "bonusPoints", points: 25 },
  ], "bonus points are stored as hundredths");
  const audit = await t.db.selectFrom("audit_log").select("after")
    .where("entity", "=", "series").where("entity_id", "=", res.json.id)
    .executeTakeFirstOrThrow();
  const after = audit.after as Record<string, unknown>;
  assert.deepEqual(after.benefit, body.benefit);
  assert.equal(after.startsAt, "2026-06-01T07:00:00.000Z");
});

Deno.test("bad series input is a 4xx naming the field, and nothing is written", async () => {
  const good = { name: "X", type: "gift-card", prefix: "777", currency: "EUR" };
  const coupon = {
    ...good,
    type: "coupon",
    prefix: "ZZ",
    benefit: { kind: "amountOff", amount: 1 },
  };
  const cases: [string, Record<string, unknown>, string, number?][] = [
    ["maxUses on a gift card", { ...good, maxUses: 5 }, "maxUses"],
    ["letters in a gift card prefix", { ...good, prefix: "GC12" }, "prefix"],
    ["a prefix of 9 digits", { ...good, prefix: "123456789" }, "prefix"],
    ["an empty prefix", { ...good, prefix: "" }, "prefix"],
    ["an ambiguous coupon prefix", { ...coupon, prefix: "SALE0" }, "prefix"],
    ["a coupon prefix with I", { ...coupon, prefix: "VIP" }, "prefix"],
    ["an unknown currency", { ...good, currency: "EURO" }, "currency"],
    ["a lower-case currency", { ...good, currency: "eur" }, "currency"],
    ["an unknown type", { ...good, type: "voucher" }, "type"],
    ["an empty name", { ...good, name: " " }, "name"],
    ["a negative initial value", { ...good, initialValue: -1 }, "initialValue"],
    ["a fractional initial value", { ...good, initialValue: 12.5 }, "initialValue"],
    ["an initial value as text", { ...good, initialValue: "10" }, "initialValue"],
    ["0 expiry days", { ...good, expiryDays: 0 }, "expiryDays"],
    ["3651 expiry days", { ...good, expiryDays: 3651 }, "expiryDays"],
    ["maxUses 0 on a coupon", { ...coupon, maxUses: 0 }, "maxUses"],
    ["a coupon without a benefit", { ...coupon, benefit: undefined }, "benefit"],
    ["a benefit on a gift card", { ...good, benefit: coupon.benefit }, "benefit"],
    ["a start on a gift card", { ...good, startsAt: "2026-01-01T00:00:00Z" }, "startsAt"],
    ["a start without offset", { ...coupon, startsAt: "2026-01-01T00:00:00" }, "startsAt"],
    ["an unknown benefit", { ...coupon, benefit: { kind: "free" } }, "benefit.kind"],
    [
      "an amount off of 0",
      { ...coupon, benefit: { kind: "amountOff", amount: 0 } },
      "benefit.amount",
    ],
    [
      "a fractional amount",
      { ...coupon, benefit: { kind: "amountOff", amount: 1.5 } },
      "benefit.amount",
    ],
    ["0 percent", { ...coupon, benefit: { kind: "percentOff", percent: 0 } }, "benefit.percent"],
    [
      "101 percent",
      { ...coupon, benefit: { kind: "percentOff", percent: 101 } },
      "benefit.percent",
    ],
    [
      "three decimals of percent",
      { ...coupon, benefit: { kind: "percentOff", percent: 1.005 } },
      "benefit.percent",
    ],
    [
      "an empty selector list",
      { ...coupon, benefit: { kind: "percentOff", percent: 5, selector: { skus: [] } } },
      "benefit.selector.skus",
    ],
    [
      "three decimals of points",
      { ...coupon, benefit: { kind: "bonusPoints", points: 0.125 } },
      "benefit.points",
    ],
    [
      "an amount and points",
      { ...coupon, benefit: { kind: "bonusPoints", points: 1, amount: 1 } },
      "benefit.amount",
    ],
    ["an unknown field", { ...good, colour: "red" }, "colour"],
    ["a duplicate prefix", { ...good, prefix: "6012" }, "prefix", 409],
  ];
  const before = await counts();
  for (const [label, body, field, status = 422] of cases) {
    const res = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, body);
    assert.equal(res.status, status, `${label}: ${JSON.stringify(res.json)}`);
    assert.ok(fieldsOf(res.json).includes(field), `${label}: ${JSON.stringify(res.json)}`);
  }
  const missing = await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {});
  assert.deepEqual(fieldsOf(missing.json).sort(), ["currency", "name", "prefix", "type"]);
  assert.deepEqual(await counts(), before);
  // The same prefix is free in another group.
  const other = await call(owner, "POST", `/merchant-groups/${B.group.id}/series`, {
    ...good,
    prefix: "6012",
  });
  assert.equal(other.status, 201);
});

Deno.test("series list: paginated by name, filtered by type", async () => {
  const { group } = await buildWorld(t, {
    name: "Listing",
    groupName: "Listing Rewards",
    member: null,
  });
  for (
    const [i, type] of ["gift-card", "coupon", "gift-card", "store-credit", "gift-card"].entries()
  ) {
    const res = await call(owner, "POST", `/merchant-groups/${group.id}/series`, {
      name: `Series ${i}`,
      type,
      prefix: type === "coupon" ? "C" : `${i + 1}`,
      currency: "GBP",
      ...(type === "coupon" ? { benefit: { kind: "bonusPoints", points: 5 } } : {}),
    });
    assert.equal(res.status, 201);
  }
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : "";
    const res = await call(owner, "GET", `/merchant-groups/${group.id}/series?limit=2${q}`);
    assert.equal(res.status, 200);
    assert.ok(res.json.items.length <= 2);
    names.push(...res.json.items.map((s: { name: string }) => s.name));
    cursor = res.json.nextCursor;
  } while (cursor);
  assert.deepEqual(names, ["Series 0", "Series 1", "Series 2", "Series 3", "Series 4"]);
  const gift = await call(owner, "GET", `/merchant-groups/${group.id}/series?type=gift-card`);
  assert.deepEqual(gift.json.items.map((s: { name: string }) => s.name), [
    "Series 0",
    "Series 2",
    "Series 4",
  ]);
  const bad = await call(owner, "GET", `/merchant-groups/${group.id}/series?type=voucher`);
  assert.equal(bad.status, 422);
  assert.deepEqual(fieldsOf(bad.json), ["type"]);
  const forged = btoa(JSON.stringify(["Series 1", "not-a-uuid"]));
  const tampered = await call(owner, "GET", `/merchant-groups/${group.id}/series?cursor=${forged}`);
  assert.equal(tampered.status, 422);
  assert.deepEqual(fieldsOf(tampered.json), ["cursor"]);
});

Deno.test("bulk generation: 100,000 unique, valid, inactive instruments; retries create nothing", async () => {
  const started = performance.now();
  const first = await generate(tokens["a-marketing"], giftCards.id, 100_000, "batch-1");
  assert.equal(first.status, 202, JSON.stringify(first.json));
  const { generation } = first.json;
  assert.equal(generation.seriesId, giftCards.id);
  assert.equal(generation.count, 100_000);
  assert.ok(generation.status === "running");

  // A retry while it is still running answers with the same generation.
  const early = await generate(tokens["a-marketing"], giftCards.id, 100_000, "batch-1");
  assert.equal(early.status, 202);
  assert.equal(early.json.generation.id, generation.id);

  const done = await finished(owner, generation.id);
  const seconds = (performance.now() - started) / 1000;
  console.log(`generated 100,000 gift cards on ${testBackend} in ${seconds.toFixed(1)} s`);
  assert.equal(done.status, "done");
  assert.equal(done.created, 100_000);
  assert.ok(done.finishedAt);

  const stats = await sql<Record<string, string | number>>`
    select count(*) as n, count(distinct number) as distinct_n,
      count(*) filter (where status = 'inactive') as inactive,
      count(*) filter (where expires_at not between now() + interval '364 days'
        and now() + interval '366 days') as bad_expiry
    from instruments where generation_id = ${generation.id}`.execute(t.db);
  // pg answers bigint counts as strings, PGlite as numbers.
  assert.deepEqual(
    Object.fromEntries(Object.entries(stats.rows[0]).map(([k, v]) => [k, Number(v)])),
    { n: 100_000, distinct_n: 100_000, inactive: 100_000, bad_expiry: 0 },
  );
  const numbers = await t.db.selectFrom("instruments").select("number")
    .where("generation_id", "=", generation.id).execute();
  const invalid = numbers.filter((r) =>
    !r.number.startsWith("6012") || !isValidNumber("gift-card", r.number)
  );
  assert.deepEqual(invalid, []);

  // The same key again: the same generation, nothing new.
  const before = await counts();
  const retry = await generate(owner, giftCards.id, 100_000, "batch-1");
  assert.equal(retry.status, 202);
  assert.deepEqual(retry.json.generation, done);
  assert.deepEqual(await counts(), before);

  // The same key with another count cannot be the same request.
  const reused = await generate(owner, giftCards.id, 5, "batch-1");
  assert.equal(reused.status, 409);
  assert.deepEqual(fieldsOf(reused.json), ["count"]);
  assert.deepEqual(await counts(), before);

  // A new key is a new batch.
  const second = await generate(owner, giftCards.id, 10, "batch-2");
  assert.equal(second.status, 202);
  assert.notEqual(second.json.generation.id, generation.id);
  assert.equal((await finished(owner, second.json.generation.id)).created, 10);
  const total = await t.db.selectFrom("instruments")
    .select((eb) => eb.fn.count<string>("number").distinct().as("n"))
    .where("series_id", "=", giftCards.id).executeTakeFirstOrThrow();
  assert.equal(Number(total.n), 100_010);
});

Deno.test("the instruments list pages through a series with a status filter", async () => {
  const series = (await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
    name: "Store credit",
    type: "store-credit",
    prefix: "44",
    currency: "EUR",
  })).json;
  const { generation } = (await generate(owner, series.id, 7, "sc-1")).json;
  await finished(owner, generation.id);
  await t.db.updateTable("instruments").set({ status: "active" })
    .where(
      "id",
      "=",
      (await t.db.selectFrom("instruments").select("id")
        .where("series_id", "=", series.id).limit(1).executeTakeFirstOrThrow()).id,
    )
    .execute();

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : "";
    const res = await call(
      tokens["a-support"],
      "GET",
      `/series/${series.id}/instruments?limit=3${q}`,
    );
    assert.equal(res.status, 200);
    for (const i of res.json.items) {
      assert.equal(i.seriesId, series.id);
      assert.equal(i.expiresAt, null, "a series without expiry days gives no expiry");
      assert.ok(isValidNumber("store-credit", i.number));
      seen.push(i.number);
    }
    cursor = res.json.nextCursor;
  } while (cursor);
  assert.equal(new Set(seen).size, 7);
  const active = await call(owner, "GET", `/series/${series.id}/instruments?status=active`);
  assert.equal(active.json.items.length, 1);
  assert.equal(active.json.items[0].status, "active");
  const inactive = await call(owner, "GET", `/series/${series.id}/instruments?status=inactive`);
  assert.equal(inactive.json.items.length, 6);
  for (
    const [query, field] of [
      ["status=lost", "status"],
      ["limit=0", "limit"],
      ["cursor=xyz", "cursor"],
      [`cursor=${btoa(JSON.stringify(["1; drop table instruments"]))}`, "cursor"],
    ]
  ) {
    const bad = await call(owner, "GET", `/series/${series.id}/instruments?${query}`);
    assert.equal(bad.status, 422, query);
    assert.deepEqual(fieldsOf(bad.json), [field], query);
  }
});

Deno.test("coupons are generated active as unambiguous codes with a check character, expiring with the series", async () => {
  const coupons = (await call(owner, "POST", `/merchant-groups/${A.group.id}/series`, {
    name: "Welcome coupons",
    type: "coupon",
    prefix: "WCM",
    currency: "EUR",
    maxUses: 3,
    expiryDays: 30,
    benefit: { kind: "amountOff", amount: 1000 },
  })).json;
  const { generation } = (await generate(owner, coupons.id, 2_000, "coupons-1")).json;
  assert.equal((await finished(owner, generation.id)).created, 2_000);
  const codes = await t.db.selectFrom("instruments")
    .select(["number", "status", "activated_at", "expires_at"])
    .where("series_id", "=", coupons.id).execute();
  assert.equal(new Set(codes.map((c) => c.number)).size, 2_000);
  for (const { number, status, activated_at, expires_at } of codes) {
    assert.match(number, /^WCM[2-9A-HJKMNP-Z]{11}$/);
    assert.ok(isValidNumber("coupon", number), number);
    // Usable at once, without an activation; the series' expiry applies.
    assert.equal(status, "active");
    assert.ok(activated_at);
    const days = (expires_at!.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `${days} days`);
  }
});

Deno.test("bad generation input is a 4xx naming the field, and nothing is written", async () => {
  const before = await counts();
  const cases: [string, unknown, string | undefined, string][] = [
    ["count 0", 0, "k-0", "count"],
    ["count 100001", 100_001, "k-1", "count"],
    ["count as text", "x", "k-2", "count"],
    ["a fractional count", 2.5, "k-3", "count"],
    ["no Idempotency-Key", 10, undefined, "Idempotency-Key"],
    ["an empty Idempotency-Key", 10, "", "Idempotency-Key"],
    ["an Idempotency-Key of 101 characters", 10, "k".repeat(101), "Idempotency-Key"],
  ];
  for (const [label, count, key, field] of cases) {
    const res = await generate(owner, giftCards.id, count, key);
    assert.equal(res.status, 422, `${label}: ${JSON.stringify(res.json)}`);
    assert.deepEqual(fieldsOf(res.json), [field], label);
  }
  const missing = await generate(owner, giftCards.id, 10);
  assert.match(missing.json.errors[0].message, /Idempotency-Key/);
  const extra = await call(owner, "POST", `/series/${giftCards.id}/instruments`, {
    count: 1,
    prefix: "1",
  }, { "Idempotency-Key": "k-extra" });
  assert.equal(extra.status, 422);
  assert.deepEqual(await counts(), before);
});

Deno.test("a generation left running by a dead process resumes on retry with the same key", async () => {
  const series = (await getSeries(t.db, giftCards.id))!;
  const gen = await startGeneration(t.db, series, {
    count: 12_000,
    key: "crashed",
    actor: ownerUser,
  });
  // The dead process got one batch in before it stopped.
  const partial = await generateBatch(t.db, gen.id, 5_000);
  assert.deepEqual([partial.status, partial.created], ["running", 5_000]);

  const retry = await generate(owner, giftCards.id, 12_000, "crashed");
  assert.equal(retry.status, 202);
  assert.equal(retry.json.generation.id, gen.id);
  const done = await finished(owner, gen.id);
  assert.deepEqual([done.status, done.created], ["done", 12_000]);
  const rows = await t.db.selectFrom("instruments")
    .select((eb) => eb.fn.count<string>("number").distinct().as("n"))
    .where("generation_id", "=", gen.id).executeTakeFirstOrThrow();
  assert.equal(Number(rows.n), 12_000);
});

Deno.test("a generation whose batch fails is marked failed with the error", async () => {
  // A prefix the API would refuse, written behind its back, makes the number generator throw.
  const broken = await t.db.insertInto("series").values({
    org_id: A.org.id,
    group_id: A.group.id,
    name: "Broken",
    type: "gift-card",
    prefix: "GC",
    currency: "EUR",
    expiry_days: null,
    max_uses: null,
  }).returningAll().executeTakeFirstOrThrow();
  const res = await generate(owner, broken.id, 10, "will-fail");
  assert.equal(res.status, 202);
  const failed = await finished(owner, res.json.generation.id);
  assert.equal(failed.status, "failed");
  assert.match(failed.error, /prefix GC/);
  assert.equal(failed.created, 0);
  assert.equal((await getGeneration(t.db, failed.id))!.status, "failed");
  const again = await generate(owner, broken.id, 10, "will-fail");
  assert.deepEqual(again.json.generation, failed, "a failed generation is final for its key");
});

Deno.test("the prefix-less customer-card series can be generated into as well", async () => {
  // The automatic customer cards' series has no prefix: card numbers are customer numbers.
  const cards = await t.db.insertInto("series").values({
    org_id: B.org.id,
    group_id: B.group.id,
    name: "Customer cards",
    type: "loyalty-card",
    prefix: "",
    currency: "EUR",
    expiry_days: null,
    max_uses: null,
  }).returningAll().executeTakeFirstOrThrow();
  const res = await generate(owner, cards.id, 50, "cards-1");
  assert.equal(res.status, 202);
  assert.equal((await finished(owner, res.json.generation.id)).status, "done");
  const numbers = await t.db.selectFrom("instruments").select("number")
    .where("series_id", "=", cards.id).execute();
  assert.equal(numbers.length, 50);
  assert.ok(
    numbers.every((r) => /^\d{16}$/.test(r.number) && isValidNumber("loyalty-card", r.number)),
  );
});

Deno.test("tenant isolation and roles on series, generations and instruments", async () => {
  const { generation } = (await generate(owner, giftCards.id, 3, "iso-1")).json;
  await finished(owner, generation.id);
  const other = tokens["b-admin"];
  const denied: [string, string, unknown?, Record<string, string>?][] = [
    ["GET", `/series/${giftCards.id}`],
    ["GET", `/series/${giftCards.id}/instruments`],
    ["GET", `/generations/${generation.id}`],
    ["POST", `/series/${giftCards.id}/instruments`, { count: 1 }, { "Idempotency-Key": "b-1" }],
    ["GET", `/merchant-groups/${A.group.id}/series`],
    ["POST", `/merchant-groups/${A.group.id}/series`, {
      name: "Sneaky",
      type: "gift-card",
      prefix: "1",
      currency: "EUR",
    }],
  ];
  const before = await counts();
  for (const [method, path, body, headers] of denied) {
    const res = await call(other, method, path, body, headers);
    assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.json)}`);
  }
  for (const path of ["/series/nope", "/generations/nope", "/series/nope/instruments"]) {
    assert.equal((await call(owner, "GET", path)).status, 404, path);
  }

  const support = tokens["a-support"];
  const create = await call(support, "POST", `/merchant-groups/${A.group.id}/series`, {
    name: "Nope",
    type: "gift-card",
    prefix: "3",
    currency: "EUR",
  });
  assert.equal(create.status, 403);
  assert.equal((await generate(support, giftCards.id, 1, "s-1")).status, 403);
  assert.deepEqual(await counts(), before);
  assert.equal((await call(support, "GET", `/generations/${generation.id}`)).status, 200);
  assert.equal((await call(support, "GET", `/merchant-groups/${A.group.id}/series`)).status, 200);

  const anonymous = await t.request(`/api/admin/v1/series/${giftCards.id}`);
  assert.equal(anonymous.status, 401);
});

Deno.test("the OpenAPI document describes the series endpoints", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  for (
    const path of [
      "/api/admin/v1/merchant-groups/{id}/series",
      "/api/admin/v1/series/{id}",
      "/api/admin/v1/series/{id}/instruments",
      "/api/admin/v1/generations/{id}",
    ]
  ) {
    assert.ok(doc.paths[path], path);
  }
  const post = doc.paths["/api/admin/v1/series/{id}/instruments"].post;
  assert.ok(post.parameters.some((p: { name: string; in: string }) => p.in === "header"));
  assert.ok(post.responses["202"]);
});

Deno.test("console: the series page lists series with a generator island and a form", async () => {
  const admin = await signIn(t, "a-admin@example.com");
  const html = await (await t.request(`/console/series?group=${A.group.id}`, {
    headers: { Cookie: admin.cookie },
  })).text();
  assert.match(html, /<h2[^>]*>Gift cards <span class="badge">Gift card<\/span>/);
  assert.match(html, /data-island="InstrumentGenerator"/);
  assert.match(html, /<script type="module" src="\/assets\/InstrumentGenerator-test.js">/);
  assert.ok(html.includes(`href="/console/instruments?series=${giftCards.id}"`));
  assert.match(html, /€25\.00/);
  assert.match(html, /<form method="post" action="\/console\/series\//);

  const support = await signIn(t, "a-support@example.com");
  const readOnly = await (await t.request(`/console/series?group=${A.group.id}`, {
    headers: { Cookie: support.cookie },
  })).text();
  assert.match(readOnly, /Gift cards/);
  assert.doesNotMatch(readOnly, /data-island="InstrumentGenerator"/);
  assert.doesNotMatch(readOnly, /Create series/);

  const b = await signIn(t, "b-admin@example.com");
  const other = await t.request(`/console/series?group=${A.group.id}`, {
    headers: { Cookie: b.cookie },
  });
  assert.equal(other.status, 404);
  await other.body?.cancel();
});

Deno.test("console: creating a series by form shows errors next to fields, then creates", async () => {
  const { cookie, csrf } = await signIn(t, "a-marketing@example.com");
  const post = (fields: Record<string, string>) =>
    t.request(`/console/series/${A.group.id}`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }),
    });
  const before = await counts();
  const bad = await post({
    name: "Vouchers",
    type: "gift-card",
    prefix: "AB",
    currency: "EURO",
    initialValue: "10.005",
    expiryDays: "",
    maxUses: "3",
  });
  assert.equal(bad.status, 422);
  const html = await bad.text();
  for (const field of ["prefix", "currency", "initialValue", "maxUses"]) {
    assert.match(html, new RegExp(`id="${field}-error" class="field-error"`), field);
  }
  assert.match(html, /value="Vouchers"/, "typed values are kept");
  assert.deepEqual(await counts(), before);

  const taken = await post({ name: "Again", type: "gift-card", prefix: "6012", currency: "EUR" });
  assert.equal(taken.status, 409);
  assert.match(await taken.text(), /id="prefix-error" class="field-error">6012 is already/);

  const ok = await post({
    name: "Holiday cards",
    type: "gift-card",
    prefix: "5050",
    currency: "eur",
    initialValue: "25.5",
    expiryDays: "730",
    maxUses: "",
  });
  assert.equal(ok.status, 302);
  await ok.body?.cancel();
  const created = await t.db.selectFrom("series").selectAll().where("group_id", "=", A.group.id)
    .where("prefix", "=", "5050").executeTakeFirstOrThrow();
  assert.deepEqual(
    [created.name, created.currency, created.initial_value, created.expiry_days, created.max_uses],
    ["Holiday cards", "EUR", 2550, 730, null],
  );

  const forged = await t.request(`/console/series/${A.group.id}`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: "wrong", name: "X", type: "coupon", prefix: "X" }),
  });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
});

Deno.test("console: a coupon series by form, with what a coupon gives and from when", async () => {
  const { cookie, csrf } = await signIn(t, "a-marketing@example.com");
  const post = (fields: Record<string, string>) =>
    t.request(`/console/series/${A.group.id}`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }),
    });
  const coupon = { name: "Summer shoes", type: "coupon", prefix: "SUMR", currency: "EUR" };
  const before = await counts();
  const refusals: [Record<string, string>, string][] = [
    [{}, "benefit.kind"],
    [{ "benefit.kind": "amountOff" }, "benefit.amount"],
    [{ "benefit.kind": "amountOff", "benefit.amount": "5.005" }, "benefit.amount"],
    [{ "benefit.kind": "percentOff", "benefit.percent": "120" }, "benefit.percent"],
    [{ "benefit.kind": "bonusPoints", "benefit.points": "ten" }, "benefit.points"],
    [{ "benefit.kind": "bonusPoints", "benefit.points": "10", startsAt: "June" }, "startsAt"],
  ];
  for (const [fields, field] of refusals) {
    const res = await post({ ...coupon, ...fields });
    assert.equal(res.status, 422, JSON.stringify(fields));
    const html = await res.text();
    assert.match(html, new RegExp(`id="${field}-error" class="field-error"`), field);
  }
  const giftCard = await post({
    name: "Cards",
    type: "gift-card",
    prefix: "7070",
    currency: "EUR",
    "benefit.kind": "amountOff",
    "benefit.amount": "5",
  });
  assert.equal(giftCard.status, 422);
  assert.match(await giftCard.text(), /id="benefit.kind-error" class="field-error">only coupons/);
  assert.deepEqual(await counts(), before);

  const ok = await post({
    ...coupon,
    maxUses: "2",
    expiryDays: "30",
    "benefit.kind": "percentOff",
    "benefit.percent": "12.5",
    "benefit.selector.categories": "SHOES, BOOTS",
    "benefit.selector.excludeDiscounted": "on",
    "benefit.amount": "ignored for a percent",
    startsAt: "2026-06-01T09:00",
    fullReturnRestoresUses: "on",
  });
  assert.equal(ok.status, 302);
  await ok.body?.cancel();
  const created = await t.db.selectFrom("series").selectAll().where("group_id", "=", A.group.id)
    .where("prefix", "=", "SUMR").executeTakeFirstOrThrow();
  assert.deepEqual(created.coupon_benefit, {
    kind: "percentOff",
    percent: 12.5,
    selector: { categories: ["SHOES", "BOOTS"], excludeDiscounted: true },
  });
  // Typed on the programme's clock (Europe/Paris, UTC+02:00 in June), as the form says.
  assert.equal(created.starts_at?.toISOString(), "2026-06-01T07:00:00.000Z");
  assert.equal(created.max_uses, 2);
  assert.equal(created.full_return_restores_uses, true);
  const page = await (await t.request(`/console/series?group=${A.group.id}`, {
    headers: { Cookie: cookie },
  })).text();
  assert.match(page, /12.5% off SHOES, BOOTS, not on discounted lines/);
  assert.match(page, /1 Jun 2026, 09:00 UTC\+02:00/);
  assert.match(page, /Usable from \(Europe\/Paris\)/);
  assert.match(page, /On a full return<\/dt>\s*<dd>the use comes back/);
  // The card's button turns it off again.
  const toggled = await t.request(`/console/series/${created.id}/full-return`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      Origin: ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ _csrf: csrf, fullReturnRestoresUses: "" }),
  });
  assert.equal(toggled.status, 302);
  await toggled.body?.cancel();
  const off = await t.db.selectFrom("series").select("full_return_restores_uses")
    .where("id", "=", created.id).executeTakeFirstOrThrow();
  assert.equal(off.full_return_restores_uses, false);

  const amount = await post({
    ...coupon,
    prefix: "FVE",
    "benefit.kind": "amountOff",
    "benefit.amount": "5",
  });
  assert.equal(amount.status, 302);
  await amount.body?.cancel();
  const five = await t.db.selectFrom("series").select(["coupon_benefit", "starts_at"])
    .where("group_id", "=", A.group.id).where("prefix", "=", "FVE").executeTakeFirstOrThrow();
  assert.deepEqual(five, { coupon_benefit: { kind: "amountOff", amount: 500 }, starts_at: null });
});

Deno.test("console: the island's calls work with the session cookie and its CSRF token", async () => {
  const { cookie, csrf } = await signIn(t, "a-marketing@example.com");
  const headers = {
    Cookie: cookie,
    "Content-Type": "application/json",
    "Idempotency-Key": crypto.randomUUID(),
  };
  const path = `/api/admin/v1/series/${giftCards.id}/instruments`;
  const body = JSON.stringify({ count: 25 });
  const noToken = await t.request(path, { method: "POST", headers, body });
  assert.equal(noToken.status, 403);
  await noToken.body?.cancel();
  const res = await t.request(path, {
    method: "POST",
    headers: { ...headers, "X-CSRF-Token": csrf },
    body,
  });
  assert.equal(res.status, 202);
  const { generation } = await res.json();
  const poll = await t.request(`/api/admin/v1/generations/${generation.id}`, {
    headers: { Cookie: cookie },
  });
  assert.equal(poll.status, 200);
  await poll.body?.cancel();
  assert.equal((await finished(owner, generation.id)).created, 25);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
