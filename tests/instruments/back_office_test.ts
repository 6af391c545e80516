/**
 * The back office's services over instruments: search by number, series and status now, an
 * instrument's detail and balance, its history with store, POS and receipt, a series' CSV.
 */
import assert from "node:assert/strict";
import { staffMove } from "../../instruments/activities.ts";
import { instrumentDetail, possibleMoves } from "../../instruments/detail.ts";
import { csvField, csvLine, seriesCsv } from "../../instruments/export.ts";
import { parseCsv } from "../helpers/csv.ts";
import { historyBefore, instrumentHistory } from "../../instruments/history.ts";
import { searchInstruments } from "../../instruments/search.ts";
import { createSeries, NewSeriesSchema, seriesFigures } from "../../instruments/series.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { generateInstruments, redeemAtPos } from "../helpers/instruments.ts";
import { buildWorld } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, { name: "Acme", member: null, store: { number: 7, name: "Opéra" } });
const B = await buildWorld(t, { name: "Bolt", member: null });
const actor = A.owner;

const newSeries = (group: typeof A.group, input: Record<string, unknown>) =>
  createSeries(t.db, group, NewSeriesSchema.parse({ currency: "EUR", ...input }), actor);

const gift = await newSeries(A.group, {
  name: "Gift cards",
  type: "gift-card",
  prefix: "6012",
  initialValue: 2500,
  expiryDays: 365,
});
const coupons = await newSeries(A.group, {
  name: "Coupons",
  type: "coupon",
  prefix: "WCM",
  benefit: { kind: "amountOff", amount: 500 },
});
const cards = await generateInstruments(t.db, gift, 30, actor);
const codes = await generateInstruments(t.db, coupons, 5, actor);
// Another tenant's gift cards, with the same prefix: never in A's answers.
const bolt = await newSeries(B.group, { name: "Bolt cards", type: "gift-card", prefix: "6012" });
await generateInstruments(t.db, bolt, 10, B.owner);

const DAY = 86_400_000;
const search = (q: Parameters<typeof searchInstruments>[2]) =>
  searchInstruments(t.db, A.group.id, q);

/** Every hit of `q`, a page of `size` at a time through the keyset cursor. */
async function allHits(q: Omit<Parameters<typeof searchInstruments>[2], "limit">, size = 7) {
  const hits: Awaited<ReturnType<typeof search>> = [];
  let after: string | undefined;
  for (;;) {
    const rows = await search({ ...q, limit: size + 1, after });
    hits.push(...rows.slice(0, size));
    if (rows.length <= size) return hits;
    after = rows[size - 1].number;
  }
}

Deno.test("search: any part of the number, spaces and dashes ignored, letters in any case", async () => {
  const card = cards[11];
  const part = card.number.slice(5, 11);
  const hits = await search({ number: part, limit: 50 });
  assert.ok(hits.some((h) => h.id === card.id), `${part} finds ${card.number}`);
  assert.ok(hits.every((h) => h.number.includes(part)));

  const printed = card.number.replace(/(\d{4})(?=\d)/g, "$1 ");
  assert.deepEqual((await search({ number: printed, limit: 5 })).map((h) => h.id), [card.id]);
  const dashed = card.number.replace(/(\d{4})(?=\d)/g, "$1-");
  assert.deepEqual((await search({ number: dashed, limit: 5 })).map((h) => h.id), [card.id]);

  const code = codes[2];
  const lower = code.number.slice(3, 9).toLowerCase();
  assert.ok((await search({ number: lower, limit: 50 })).some((h) => h.id === code.id));

  // LIKE's wildcards are taken literally.
  assert.deepEqual(await search({ number: "60%2", limit: 5 }), []);
  assert.deepEqual(await search({ number: "6_12", limit: 5 }), []);
});

Deno.test("search: the group's instruments in number order, a keyset page at a time", async () => {
  const hits = await allHits({});
  assert.equal(hits.length, 35, "30 cards and 5 coupons of A; none of B's");
  const numbers = hits.map((h) => h.number);
  assert.deepEqual(numbers, [...numbers].sort(), "in number order");
  assert.equal(new Set(numbers).size, 35, "no hit twice across pages");
  const first = hits.find((h) => h.id === cards[0].id)!;
  assert.deepEqual(
    [first.seriesId, first.seriesName, first.type, first.status, first.balance, first.currency],
    [gift.id, "Gift cards", "gift-card", "inactive", 0, "EUR"],
  );
  assert.equal(
    (await searchInstruments(t.db, B.group.id, { limit: 100 })).length,
    10,
    "B sees its own",
  );
});

Deno.test("search: by series, and by status now (expiry applied on the UTC date)", async () => {
  const now = new Date();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const [lastDay, pastActive, storedExpired, blocked, voided] = cards.slice(20, 25);
  // Good through its last day: expiring today is not expired yet.
  await t.db.updateTable("instruments").set({ expires_at: today }).where("id", "=", lastDay.id)
    .execute();
  await t.db.updateTable("instruments")
    .set({ status: "active", expires_at: new Date(today.getTime() - 1) })
    .where("id", "=", pastActive.id).execute();
  await t.db.updateTable("instruments").set({ status: "expired" })
    .where("id", "=", storedExpired.id).execute();
  await staffMove(t.db, blocked.id, { move: "activate", reason: "sold" }, actor);
  await staffMove(t.db, blocked.id, { move: "block", reason: "reported lost" }, actor);
  await staffMove(t.db, voided.id, { move: "void", reason: "damaged" }, actor);

  const ids = (hits: { id: string }[]) => hits.map((h) => h.id).sort();
  const expired = await allHits({ status: "expired" });
  assert.deepEqual(ids(expired), [pastActive.id, storedExpired.id].sort());
  assert.ok(expired.every((h) => h.status === "expired"), "hits carry the status now");
  assert.ok(!(await allHits({ status: "active" })).some((h) => h.id === pastActive.id));
  assert.deepEqual(ids(await allHits({ status: "blocked" })), [blocked.id]);
  assert.deepEqual(ids(await allHits({ status: "void" })), [voided.id]);
  const inactive = await allHits({ status: "inactive" });
  assert.ok(inactive.some((h) => h.id === lastDay.id), "expires today: still inactive");
  // The 30 gift cards but the four moved; coupons are generated active.
  assert.equal(inactive.length, 30 - 4);

  // Tomorrow, the card that expires today has expired too.
  const tomorrow = await allHits({ status: "expired", now: new Date(now.getTime() + DAY) });
  assert.ok(tomorrow.some((h) => h.id === lastDay.id));

  const couponHits = await allHits({ seriesId: coupons.id });
  assert.deepEqual(ids(couponHits), ids(codes));
  assert.deepEqual(await allHits({ seriesId: bolt.id }), [], "another group's series: nothing");
  assert.deepEqual(
    ids(await allHits({ seriesId: gift.id, status: "blocked", number: blocked.number })),
    [blocked.id],
  );
});

Deno.test("detail: status now, balance from the card's ledger account, the moves it allows", async () => {
  const card = cards[3];
  const fresh = await instrumentDetail(t.db, card);
  assert.deepEqual([fresh.status, fresh.balance, fresh.series.id], ["inactive", 0, gift.id]);
  assert.deepEqual(possibleMoves(fresh), ["activate", "void"]);

  const state = await staffMove(t.db, card.id, { move: "activate", reason: "sold" }, actor);
  assert.deepEqual([state.status, state.balance], ["active", 2500]);
  const reread = await t.db.selectFrom("instruments").selectAll().where("id", "=", card.id)
    .executeTakeFirstOrThrow();
  const active = await instrumentDetail(t.db, reread);
  assert.deepEqual([active.status, active.balance], ["active", 2500]);
  assert.ok(reread.activated_at, "the activation time is kept");
  assert.deepEqual(possibleMoves(active), ["block", "void"]);

  const later = await instrumentDetail(t.db, reread, new Date(Date.now() + 400 * DAY));
  assert.equal(later.status, "expired", "a year's expiry has passed");
  assert.deepEqual(possibleMoves(later), ["void"]);
  assert.deepEqual(possibleMoves(await instrumentDetail(t.db, codes[0])), ["block", "void"]);
});

Deno.test("history: every activity with store, POS, receipt, amount and balance after", async () => {
  const card = cards[5];
  await staffMove(t.db, card.id, { move: "activate", amount: 5000, reason: "sold" }, actor);
  const balance = await redeemAtPos(t.db, card.id, {
    storeId: A.store.id,
    posId: A.pos.id,
    posLabel: "POS 1",
    receipt: "R-0042",
    amount: 1250,
  });
  assert.equal(balance, 3750);
  await staffMove(t.db, card.id, { move: "block", reason: "reported stolen" }, actor);

  const first = await instrumentHistory(t.db, card.id, { limit: 2 });
  assert.deepEqual(first.lines.map((l) => l.kind), ["block", "redeem"]);
  const [block, redeem] = first.lines;
  assert.deepEqual(
    [block.statusBefore, block.statusAfter, block.amount, block.balanceAfter, block.reason],
    ["active", "blocked", 0, 3750, "reported stolen"],
  );
  assert.equal(block.actor, actor.email);
  assert.equal(block.storeNumber, null);
  assert.deepEqual(
    [
      redeem.storeNumber,
      redeem.storeName,
      redeem.posNumber,
      redeem.receiptNumber,
      redeem.amount,
      redeem.balanceAfter,
      redeem.actor,
    ],
    [7, "Opéra", A.pos.number, "R-0042", -1250, 3750, "POS 1"],
  );
  assert.equal(first.next, redeem.id);
  const older = await instrumentHistory(t.db, card.id, { limit: 2, before: first.next! });
  assert.deepEqual(older.lines.map((l) => [l.kind, l.amount, l.balanceAfter]), [[
    "activate",
    5000,
    5000,
  ]]);
  assert.equal(older.next, null);
  assert.deepEqual((await instrumentHistory(t.db, cards[29].id, { limit: 5 })).lines, []);

  assert.equal(historyBefore(["12"]), 12);
  assert.throws(() => historyBefore(["1; drop table instruments"]), /not valid/);
});

Deno.test("series figures: the instrument count and the sum of the cards' balances", async () => {
  const figures = await seriesFigures(t.db, [gift.id, coupons.id, bolt.id]);
  const balances = await t.db.selectFrom("ledger_accounts as a")
    .innerJoin("instruments as i", "i.id", "a.instrument_id")
    .select((eb) => eb.fn.sum<string>("a.balance").as("total"))
    .where("i.series_id", "=", gift.id).executeTakeFirstOrThrow();
  assert.ok(Number(balances.total) > 0);
  assert.deepEqual(figures.get(gift.id), { instruments: 30, outstanding: Number(balances.total) });
  assert.deepEqual(figures.get(coupons.id), { instruments: 5, outstanding: 0 });
  assert.deepEqual(figures.get(bolt.id), { instruments: 10, outstanding: 0 });
});

Deno.test("csv: fields are quoted only when they must be, quotes doubled", () => {
  assert.equal(csvField("6012345"), "6012345");
  assert.equal(csvField('a,b"c'), '"a,b""c"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvLine(["a", "b,c", ""]), 'a,"b,c",\r\n');
});

Deno.test("csv: a series of a few thousand streamed a page per pull, escaped, every row once", async () => {
  const big = await newSeries(A.group, {
    name: "Store credit",
    type: "store-credit",
    prefix: "44",
  });
  const made = await generateInstruments(t.db, big, 3_000, actor);
  // A number no generator makes, written behind the API's back, to be escaped.
  const odd = await t.db.insertInto("instruments").values({
    org_id: A.org.id,
    group_id: A.group.id,
    series_id: big.id,
    number: 'ODD,"1"\n2',
  }).returningAll().executeTakeFirstOrThrow();
  await staffMove(t.db, made[0].id, { move: "activate", amount: 1999, reason: "sold" }, actor);

  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of seriesCsv(t.db, big, { pageSize: 500 })) {
    chunks.push(decoder.decode(chunk));
  }
  assert.equal(chunks.length, 1 + Math.ceil(3_001 / 500), "the header, then a chunk per page");
  const rows = parseCsv(chunks.join(""));
  assert.deepEqual(rows[0], [
    "number",
    "status",
    "balance",
    "currency",
    "expires_at",
    "uses",
    "created_at",
  ]);
  const body = rows.slice(1);
  assert.equal(body.length, 3_001);
  assert.ok(body.every((r) => r.length === 7), "seven fields in every row");
  assert.deepEqual(
    new Set(body.map((r) => r[0])),
    new Set([...made.map((i) => i.number), odd.number]),
  );
  const byNumber = new Map(body.map((r) => [r[0], r]));
  assert.deepEqual(byNumber.get(made[0].number)!.slice(1, 6), ["active", "19.99", "EUR", "", "0"]);
  assert.deepEqual(byNumber.get(made[1].number)!.slice(1, 6), ["inactive", "0.00", "EUR", "", "0"]);
  assert.equal(
    byNumber.get(odd.number)![6],
    new Date(odd.created_at).toISOString(),
    "the odd number round-trips, its row intact",
  );

  // A reader that stops after the first page: the stream asks for nothing more.
  const reader = seriesCsv(t.db, big, { pageSize: 500 }).getReader();
  assert.match(decoder.decode((await reader.read()).value), /^number,status,/);
  const page = decoder.decode((await reader.read()).value);
  assert.equal(page.split("\r\n").length - 1, 500);
  await reader.cancel();
});

Deno.test({ name: "close the test app", fn: () => t.close() });
