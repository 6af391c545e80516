/**
 * The back office's instruments over HTTP: the admin API (search, detail, history, staff moves,
 * the series' CSV, series figures) and the console's instruments pages.
 */
import assert from "node:assert/strict";
import { createSeries, NewSeriesSchema } from "../../instruments/series.ts";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { generateInstruments, redeemAtPos } from "../helpers/instruments.ts";
import { buildWorld, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, {
  name: "Acme",
  member: null,
  store: { number: 12, name: "Gare du Nord" },
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, { name: "Bolt", member: null, staff: { "b-admin": "admin" } });
const owner = A.ownerToken;
const tokens: Record<string, string> = { owner, ...staffTokens(A, B) };

const gift = await createSeries(
  t.db,
  A.group,
  NewSeriesSchema.parse({
    name: "Gift cards",
    type: "gift-card",
    prefix: "6012",
    currency: "EUR",
    initialValue: 2500,
  }),
  A.owner,
);
const coupons = await createSeries(
  t.db,
  A.group,
  NewSeriesSchema.parse({
    name: "Coupons",
    type: "coupon",
    prefix: "WCM",
    currency: "EUR",
    benefit: { kind: "amountOff", amount: 500 },
  }),
  A.owner,
);
const cards = await generateInstruments(t.db, gift, 60, A.owner);
const codes = await generateInstruments(t.db, coupons, 3, A.owner);

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const answer = await adminCall(t, token, method, path, body);
  if (answer.status >= 400) assert.match(answer.type, /^application\/problem\+json/);
  return answer;
}

const fieldsOf = (problem: { errors?: { field: string }[] }) =>
  (problem.errors ?? []).map((e) => e.field);

const auditOf = (instrumentId: string) =>
  t.db.selectFrom("audit_log").selectAll().where("entity", "=", "instrument")
    .where("entity_id", "=", instrumentId).orderBy("at").execute();

Deno.test("search: by part of the number, series and status, paged by number", async () => {
  const card = cards[7];
  const part = card.number.slice(6, 12);
  const found = await call(
    tokens["a-support"],
    "GET",
    `/merchant-groups/${A.group.id}/instruments?number=${part}`,
  );
  assert.equal(found.status, 200);
  const hit = found.json.items.find((h: { id: string }) => h.id === card.id);
  assert.deepEqual(hit, {
    id: card.id,
    number: card.number,
    seriesId: gift.id,
    seriesName: "Gift cards",
    type: "gift-card",
    status: "inactive",
    balance: 0,
    currency: "EUR",
    expiresAt: null,
  });

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : "";
    const res = await call(
      owner,
      "GET",
      `/merchant-groups/${A.group.id}/instruments?seriesId=${gift.id}&limit=25${q}`,
    );
    assert.equal(res.status, 200);
    seen.push(...res.json.items.map((h: { number: string }) => h.number));
    cursor = res.json.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, cards.map((c) => c.number), "every card once, in number order");

  const onlyCoupons = await call(
    owner,
    "GET",
    `/merchant-groups/${A.group.id}/instruments?seriesId=${coupons.id}&status=active`,
  );
  assert.equal(onlyCoupons.json.items.length, 3, "coupons are generated active");
  assert.equal(
    (await call(owner, "GET", `/merchant-groups/${A.group.id}/instruments?status=void`)).json
      .items.length,
    0,
  );

  for (
    const [query, field] of [
      ["status=lost", "status"],
      ["seriesId=nope", "seriesId"],
      ["number=" + "1".repeat(41), "number"],
      ["cursor=xyz", "cursor"],
      ["limit=0", "limit"],
    ]
  ) {
    const bad = await call(owner, "GET", `/merchant-groups/${A.group.id}/instruments?${query}`);
    assert.equal(bad.status, 422, query);
    assert.deepEqual(fieldsOf(bad.json), [field], query);
  }
});

Deno.test("moves: activate, block, unblock, void with a reason, on the history and audited", async () => {
  const card = cards[0];
  const marketing = tokens["a-marketing"];
  const activated = await call(marketing, "POST", `/instruments/${card.id}/activate`, {
    reason: "sold at the desk",
  });
  assert.equal(activated.status, 200, JSON.stringify(activated.json));
  assert.deepEqual(activated.json, {
    number: card.number,
    type: "gift-card",
    status: "active",
    currency: "EUR",
    balance: 2500,
    expiresAt: null,
  });
  await redeemAtPos(t.db, card.id, {
    storeId: A.store.id,
    posId: A.pos.id,
    posLabel: "Till 1",
    receipt: "R-7",
    amount: 400,
  });
  const blocked = await call(tokens["a-support"], "POST", `/instruments/${card.id}/block`, {
    reason: "reported lost",
  });
  assert.equal(blocked.status, 200);
  assert.deepEqual([blocked.json.status, blocked.json.balance], ["blocked", 2100]);

  const detail = await call(tokens["a-support"], "GET", `/instruments/${card.id}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(
    {
      number: detail.json.number,
      series: detail.json.series,
      status: detail.json.status,
      balance: detail.json.balance,
      currency: detail.json.currency,
      uses: detail.json.uses,
    },
    {
      number: card.number,
      series: { id: gift.id, name: "Gift cards" },
      status: "blocked",
      balance: 2100,
      currency: "EUR",
      uses: 0,
    },
  );
  assert.ok(detail.json.activatedAt);

  const first = await call(owner, "GET", `/instruments/${card.id}/activities?limit=2`);
  assert.equal(first.status, 200);
  const [block, redeem] = first.json.items;
  assert.deepEqual(
    [block.kind, block.statusBefore, block.statusAfter, block.reason, block.actor],
    ["block", "active", "blocked", "reported lost", "a-support@example.com"],
  );
  assert.deepEqual(
    [redeem.kind, redeem.store, redeem.posNumber, redeem.receiptNumber, redeem.amount],
    ["redeem", { number: 12, name: "Gare du Nord" }, A.pos.number, "R-7", -400],
  );
  assert.equal(redeem.balanceAfter, 2100);
  const older = await call(
    owner,
    "GET",
    `/instruments/${card.id}/activities?limit=2&cursor=${first.json.nextCursor}`,
  );
  assert.deepEqual(older.json.items.map((a: { kind: string }) => a.kind), ["activate"]);
  assert.equal(older.json.items[0].amount, 2500);
  assert.equal(older.json.nextCursor, null);
  const badCursor = await call(
    owner,
    "GET",
    `/instruments/${card.id}/activities?cursor=${btoa(JSON.stringify(["x"]))}`,
  );
  assert.equal(badCursor.status, 422);

  const unblocked = await call(owner, "POST", `/instruments/${card.id}/unblock`, {
    reason: "found again",
  });
  assert.equal(unblocked.json.status, "active");
  const voided = await call(tokens["a-admin"], "POST", `/instruments/${card.id}/void`, {
    reason: "customer refunded",
  });
  // Voiding writes off the 21.00 left (breakage): the series no longer owes it.
  assert.deepEqual(
    [voided.json.status, voided.json.balance, voided.json.writtenOff],
    ["void", 0, 2100],
  );
  const [written] = (await call(owner, "GET", `/instruments/${card.id}/activities?limit=1`))
    .json.items;
  assert.deepEqual([written.kind, written.amount, written.balanceAfter], ["void", -2100, 0]);

  const audit = await auditOf(card.id);
  assert.deepEqual(audit.map((a) => a.action), ["activate", "block", "unblock", "void"]);
  assert.equal(audit[1].actor_label, "a-support@example.com");
  assert.deepEqual(audit[3].after, {
    status: "void",
    reason: "customer refunded",
    amount: 2100,
    currency: "EUR",
  });

  // An activation with an amount loads it.
  const other = cards[1];
  const loaded = await call(owner, "POST", `/instruments/${other.id}/activate`, {
    reason: "bulk order",
    amount: 10_000,
  });
  assert.equal(loaded.json.balance, 10_000);
});

Deno.test("moves: a reason is required, an amount only on activation, refusals are 409", async () => {
  const card = cards[2];
  const cases: [string, string, unknown, string][] = [
    ["no reason", "block", {}, "reason"],
    ["an empty reason", "activate", { reason: "  " }, "reason"],
    ["a reason of 501 characters", "void", { reason: "x".repeat(501) }, "reason"],
    ["an amount on a block", "block", { reason: "lost", amount: 5 }, "amount"],
    ["a negative amount", "activate", { reason: "sold", amount: -1 }, "amount"],
    ["a fractional amount", "activate", { reason: "sold", amount: 2.5 }, "amount"],
    ["an unknown field", "activate", { reason: "sold", colour: "red" }, "colour"],
  ];
  for (const [label, move, body, field] of cases) {
    const res = await call(owner, "POST", `/instruments/${card.id}/${move}`, body);
    assert.equal(res.status, 422, `${label}: ${JSON.stringify(res.json)}`);
    assert.deepEqual(fieldsOf(res.json), [field], label);
  }
  assert.equal(
    (await call(owner, "POST", `/instruments/${card.id}/explode`, { reason: "x" }))
      .status,
    404,
  );
  assert.deepEqual(await auditOf(card.id), [], "nothing moved");

  const blockInactive = await call(owner, "POST", `/instruments/${card.id}/block`, {
    reason: "lost",
  });
  assert.equal(blockInactive.status, 409);
  assert.equal(blockInactive.json.type, "https://loyalty-edge.dev/problems/instrument-inactive");
  const coupon = await call(owner, "POST", `/instruments/${codes[0].id}/activate`, {
    reason: "why not",
  });
  assert.equal(coupon.status, 409);
  assert.equal(coupon.json.type, "https://loyalty-edge.dev/problems/wrong-instrument-type");
  await call(owner, "POST", `/instruments/${card.id}/activate`, { reason: "sold" });
  const again = await call(owner, "POST", `/instruments/${card.id}/activate`, { reason: "sold" });
  assert.equal(again.status, 409);
  assert.equal(again.json.type, "https://loyalty-edge.dev/problems/instrument-active");
});

Deno.test("permissions: support blocks only; another organization's ids are 404", async () => {
  const card = cards[3];
  const support = tokens["a-support"];
  await call(owner, "POST", `/instruments/${card.id}/activate`, { reason: "sold" });
  for (const move of ["void", "activate"]) {
    const res = await call(support, "POST", `/instruments/${card.id}/${move}`, { reason: "x" });
    assert.equal(res.status, 403, move);
  }
  assert.equal(
    (await call(support, "POST", `/instruments/${card.id}/block`, { reason: "lost" })).status,
    200,
  );
  assert.equal(
    (await call(support, "POST", `/instruments/${card.id}/unblock`, { reason: "x" })).status,
    403,
  );
  assert.equal(
    (await call(support, "GET", `/series/${gift.id}/instruments.csv`)).status,
    403,
    "the export needs series:manage",
  );

  const other = tokens["b-admin"];
  const denied: [string, string, unknown?][] = [
    ["GET", `/merchant-groups/${A.group.id}/instruments`],
    ["GET", `/instruments/${card.id}`],
    ["GET", `/instruments/${card.id}/activities`],
    ["POST", `/instruments/${card.id}/unblock`, { reason: "mine now" }],
    ["POST", `/instruments/${card.id}/void`, { reason: "mine now" }],
    ["GET", `/series/${gift.id}/instruments.csv`],
  ];
  for (const [method, path, body] of denied) {
    const res = await call(other, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.json)}`);
  }
  for (const path of ["/instruments/nope", "/instruments/nope/activities"]) {
    assert.equal((await call(owner, "GET", path)).status, 404, path);
  }
  assert.equal((await call(null, "GET", `/instruments/${card.id}`)).status, 401);
  const state = await call(owner, "GET", `/instruments/${card.id}`);
  assert.equal(state.json.status, "blocked", "B's calls changed nothing");
});

Deno.test("series JSON: the instrument count and the outstanding balance of the cards", async () => {
  const total = await t.db.selectFrom("ledger_accounts as a")
    .innerJoin("instruments as i", "i.id", "a.instrument_id")
    .select((eb) => eb.fn.sum<string>("a.balance").as("n"))
    .where("i.series_id", "=", gift.id).executeTakeFirstOrThrow();
  assert.ok(Number(total.n) > 0);
  const one = await call(tokens["a-support"], "GET", `/series/${gift.id}`);
  assert.deepEqual([one.json.instrumentCount, one.json.outstanding], [60, Number(total.n)]);
  const list = await call(owner, "GET", `/merchant-groups/${A.group.id}/series`);
  const figures = Object.fromEntries(
    list.json.items.map((
      s: { name: string; instrumentCount: number; outstanding: number },
    ) => [s.name, [s.instrumentCount, s.outstanding]]),
  );
  assert.deepEqual(figures, { "Coupons": [3, 0], "Gift cards": [60, Number(total.n)] });
});

Deno.test("CSV export: streamed text/csv with a header and every instrument", async () => {
  const res = await t.request(`/api/admin/v1/series/${gift.id}/instruments.csv`, {
    headers: { Authorization: `Bearer ${tokens["a-marketing"]}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(
    res.headers.get("Content-Disposition"),
    'attachment; filename="Gift-cards-instruments.csv"',
  );
  const lines = (await res.text()).split("\r\n");
  assert.equal(lines[0], "number,status,balance,currency,expires_at,uses,created_at");
  assert.equal(lines.at(-1), "", "the last line ends with CRLF");
  assert.equal(lines.length, 62);
  const numbers = lines.slice(1, -1).map((l) => l.split(",")[0]);
  assert.deepEqual(new Set(numbers), new Set(cards.map((c) => c.number)));
  const voided = lines.find((l) => l.startsWith(cards[0].number + ","))!;
  assert.deepEqual(voided.split(",").slice(1, 4), ["void", "0.00", "EUR"]);
});

Deno.test("breakage report: per card series from the ledger, by dates; another group's is 404", async () => {
  const credit = await createSeries(
    t.db,
    A.group,
    NewSeriesSchema.parse({
      name: "Store credit",
      type: "store-credit",
      prefix: "7012",
      currency: "EUR",
    }),
    A.owner,
  );
  const [slip, empty] = await generateInstruments(t.db, credit, 2, A.owner);
  for (const [card, amount] of [[slip, 1500], [empty, 0]] as const) {
    await call(owner, "POST", `/instruments/${card.id}/activate`, { reason: "issued", amount });
    const voided = await call(owner, "POST", `/instruments/${card.id}/void`, { reason: "gone" });
    assert.equal(voided.json.writtenOff, amount || undefined);
  }
  const path = `/merchant-groups/${A.group.id}/reports/breakage`;
  const report = await call(tokens["a-support"], "GET", path);
  assert.equal(report.status, 200, JSON.stringify(report.json));
  assert.deepEqual(report.json, {
    from: null,
    to: null,
    series: [
      {
        seriesId: gift.id,
        name: "Gift cards",
        type: "gift-card",
        currency: "EUR",
        cards: 1,
        writtenOff: 2100,
      },
      {
        seriesId: credit.id,
        name: "Store credit",
        type: "store-credit",
        currency: "EUR",
        cards: 1,
        writtenOff: 1500,
      },
    ],
  });
  const today = new Date().toISOString().slice(0, 10);
  const figures = async (query: string) =>
    (await call(owner, "GET", `${path}?${query}`)).json.series.map((
      s: { cards: number; writtenOff: number },
    ) => [s.cards, s.writtenOff]);
  assert.deepEqual(await figures(`from=${today}&to=${today}`), [[1, 2100], [1, 1500]]);
  assert.deepEqual(await figures("to=2020-12-31"), [[0, 0], [0, 0]]);
  assert.deepEqual(await figures("from=2999-01-01"), [[0, 0], [0, 0]]);

  for (
    const [query, field] of [
      ["from=yesterday", "from"],
      ["to=2026-02-30", "to"],
      ["from=2026-02-02&to=2026-02-01", "to"],
    ]
  ) {
    const bad = await call(owner, "GET", `${path}?${query}`);
    assert.equal(bad.status, 422, query);
    assert.deepEqual(fieldsOf(bad.json), [field], query);
  }
  assert.equal((await call(tokens["b-admin"], "GET", path)).status, 404);
  assert.equal((await call(null, "GET", path)).status, 401);
  const nobody = await call(
    owner,
    "GET",
    `/merchant-groups/${crypto.randomUUID()}/reports/breakage`,
  );
  assert.equal(nobody.status, 404);

  const doc = await (await t.request("/openapi.json")).json();
  const op = doc.paths["/api/admin/v1/merchant-groups/{id}/reports/breakage"].get;
  assert.deepEqual(op.parameters.map((p: { name: string }) => p.name).sort(), ["from", "id", "to"]);
  assert.equal(
    doc.components.schemas.BreakageReport.properties.series.items.properties.writtenOff
      .$ref ?? doc.components.schemas.BreakageReport.properties.series.items.properties.writtenOff
      .allOf[0].$ref,
    "#/components/schemas/MinorUnits",
  );
});

Deno.test("the OpenAPI document describes the instrument endpoints", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  for (
    const [path, method] of [
      ["/api/admin/v1/merchant-groups/{id}/instruments", "get"],
      ["/api/admin/v1/instruments/{id}", "get"],
      ["/api/admin/v1/instruments/{id}/activities", "get"],
      ["/api/admin/v1/instruments/{id}/{move}", "post"],
      ["/api/admin/v1/series/{id}/instruments.csv", "get"],
    ]
  ) {
    assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  }
  const move = doc.paths["/api/admin/v1/instruments/{id}/{move}"].post;
  const param = move.parameters.find((p: { name: string }) => p.name === "move");
  assert.deepEqual(param.schema.enum, ["activate", "block", "unblock", "void"]);
  assert.ok(
    doc.paths["/api/admin/v1/series/{id}/instruments.csv"].get.responses["200"]
      .content["text/csv"],
  );
  assert.ok(doc.components.schemas.Series.properties.outstanding);
});

const html = async (cookie: string, path: string) => {
  const res = await t.request(path, { headers: { Cookie: cookie } });
  return { status: res.status, text: await res.text() };
};

Deno.test("console: the instruments page searches by number, series and status", async () => {
  const { cookie } = await signIn(t, "a-support@example.com");
  const nav = await html(cookie, "/console");
  assert.match(nav.text, /<a href="\/console\/instruments">Instruments<\/a>/);

  const card = cards[10];
  const found = await html(
    cookie,
    `/console/instruments?group=${A.group.id}&number=${card.number.slice(4, 12)}`,
  );
  assert.equal(found.status, 200);
  assert.ok(found.text.includes(`href="/console/instruments/${card.id}"`));

  // The series page links with the series alone: the page finds its group.
  const bySeries = await html(cookie, `/console/instruments?series=${coupons.id}`);
  const shown = [...bySeries.text.matchAll(/<code>([2-9A-Z]{14})<\/code>/g)].map((m) => m[1]);
  assert.deepEqual(shown.sort(), codes.map((c) => c.number).sort());
  assert.match(bySeries.text, new RegExp(`<option value="${coupons.id}" selected`));

  const page1 = await html(cookie, `/console/instruments?series=${gift.id}`);
  const numbers = [...page1.text.matchAll(/<code>(6012\d+)<\/code>/g)].map((m) => m[1]);
  assert.equal(numbers.length, 50);
  const next = /href="(\/console\/instruments\?[^"]+cursor=[^"]+)"/.exec(page1.text)![1];
  const page2 = await html(cookie, next.replaceAll("&amp;", "&"));
  const more = [...page2.text.matchAll(/<code>(6012\d+)<\/code>/g)].map((m) => m[1]);
  assert.deepEqual([...numbers, ...more], cards.map((c) => c.number));

  const voided = await html(cookie, `/console/instruments?group=${A.group.id}&status=void`);
  assert.ok(voided.text.includes(cards[0].number));
  assert.match(voided.text, /<span class="badge void">void<\/span>/);
  const none = await html(cookie, `/console/instruments?group=${A.group.id}&number=999999999`);
  assert.match(none.text, /No instrument matches/);

  const b = await signIn(t, "b-admin@example.com");
  assert.equal((await html(b.cookie, `/console/instruments?group=${A.group.id}`)).status, 404);
  assert.equal((await html(b.cookie, `/console/instruments?series=${gift.id}`)).status, 404);
  assert.equal((await html(b.cookie, `/console/instruments/${card.id}`)).status, 404);
});

Deno.test("console: an instrument's page, its history and a move by form", async () => {
  const card = cards[20];
  const { cookie, csrf } = await signIn(t, "a-marketing@example.com");
  const post = (id: string, fields: Record<string, string>) =>
    t.request(`/console/instruments/${id}/moves`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: csrf, ...fields }),
    });

  const fresh = await html(cookie, `/console/instruments/${card.id}`);
  assert.equal(fresh.status, 200);
  assert.match(fresh.text, new RegExp(`<h1>${card.number}</h1>`));
  assert.match(fresh.text, /<button type="submit" name="move" value="activate">Activate/);
  assert.match(fresh.text, /name="amount" value="25.00"/);
  assert.match(fresh.text, /Nothing has happened to this instrument yet/);

  const noReason = await post(card.id, { move: "activate", amount: "30", reason: "" });
  assert.equal(noReason.status, 422);
  assert.match(await noReason.text(), /id="reason-error" class="field-error">a reason is required/);
  const badAmount = await post(card.id, { move: "activate", amount: "3.001", reason: "sold" });
  assert.equal(badAmount.status, 422);
  assert.match(await badAmount.text(), /id="amount-error" class="field-error">at most 2 decimals/);

  const ok = await post(card.id, { move: "activate", amount: "30", reason: "sold by phone" });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("Location"), `/console/instruments/${card.id}#history`);
  await ok.body?.cancel();
  const after = await html(cookie, `/console/instruments/${card.id}`);
  assert.match(after.text, /<span data-figure="balance">€30.00<\/span>/);
  assert.match(after.text, /<span class="badge active">active<\/span>/);
  assert.match(after.text, /<td>sold by phone<\/td>/);
  assert.doesNotMatch(after.text, /value="activate"/, "an active card is not activated again");
  assert.match(after.text, /value="block">Block/);

  // A refused move is shown on the page, not as a bare error.
  const stale = await post(card.id, { move: "unblock", reason: "stale tab" });
  assert.equal(stale.status, 409);
  assert.match(await stale.text(), /role="alert" class="flash error">cannot unblock/);

  const support = await signIn(t, "a-support@example.com");
  const readOnly = await html(support.cookie, `/console/instruments/${card.id}`);
  assert.match(readOnly.text, /value="block">Block/);
  assert.doesNotMatch(readOnly.text, /value="void"/, "support may block, not void");

  const forged = await t.request(`/console/instruments/${card.id}/moves`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: "wrong", move: "void", reason: "x" }),
  });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  const voidBySupport = await t.request(`/console/instruments/${card.id}/moves`, {
    method: "POST",
    headers: {
      Cookie: support.cookie,
      Origin: ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ _csrf: support.csrf, move: "void", reason: "x" }),
  });
  assert.equal(voidBySupport.status, 403);
  await voidBySupport.body?.cancel();
});

Deno.test("console: the series page shows counts, outstanding balances and the export", async () => {
  const admin = await signIn(t, "a-admin@example.com");
  const page = await html(admin.cookie, `/console/series?group=${A.group.id}`);
  assert.match(page.text, /data-island="InstrumentCount"/);
  assert.ok(page.text.includes(`href="/console/instruments?series=${gift.id}">60</a>`));
  assert.ok(page.text.includes(`href="/api/admin/v1/series/${gift.id}/instruments.csv"`));
  const outstanding = [...page.text.matchAll(/data-figure="outstanding">([^<]+)</g)]
    .map((m) => m[1]);
  assert.equal(outstanding.length, 2, "gift cards and store credit carry money, coupons do not");
  assert.match(outstanding[0], /^€\d[\d,]*\.\d\d$/);
  // Breakage, per card series, readable without JavaScript.
  const breakage = page.text.slice(page.text.indexOf('id="breakage"'));
  assert.match(breakage, /<h2 id="breakage-heading">Breakage<\/h2>/);
  assert.match(breakage, new RegExp(`data-breakage="${gift.id}">.*?Gift cards.*?>1<.*?€21\\.00`));
  assert.match(breakage, /Store credit.*?€15\.00/);

  const support = await signIn(t, "a-support@example.com");
  const readOnly = await html(support.cookie, `/console/series?group=${A.group.id}`);
  assert.doesNotMatch(readOnly.text, /data-island="InstrumentCount"/);
  assert.ok(readOnly.text.includes(`href="/console/instruments?series=${gift.id}">60</a>`));
  assert.doesNotMatch(readOnly.text, /instruments\.csv/, "no export for support");
});

Deno.test({ name: "close the test app", fn: () => t.close() });
