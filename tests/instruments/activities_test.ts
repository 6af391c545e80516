/**
 * Gift card and store credit activities at the POS, end to end on PGlite or Postgres
 * (TEST_DATABASE_URL): the state machine (every state × every activity), money (insufficient
 * funds, partial redemption, 50 concurrent redemptions of one card), idempotency (sequential
 * and concurrent retries of each activity), another programme's card, currency and type
 * refusals, expiry on the store's clock, staff moves. After every test the ledger is sound and
 * each series' liability equals the sum of its cards' balances.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { currentStatus, MOVES, nextStatus } from "../../instruments/states.ts";
import { staffMove } from "../../instruments/activities.ts";
import type { InstrumentStatus } from "../../db/schema.ts";
import { createTestApp } from "../helpers/app.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { assertLiabilityMatches, makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld, posCall, type World } from "../helpers/world.ts";

const t = await createTestApp();
const A = await buildWorld(t, { name: "Cards A", store: { timezone: "Pacific/Auckland" } });
const B = await buildWorld(t, { name: "Cards B" });
const gift = await makeSeries(t, A);
const credit = await makeSeries(t, A, { type: "store-credit", initialValue: 2500 });
const coupons = await makeSeries(t, A, { type: "coupon" });
const otherGift = await makeSeries(t, B);
const allSeries = [gift.id, credit.id, coupons.id, otherGift.id];

let keys = 0;
const key = () => `k-${++keys}`;

const act = (
  number: string,
  move: string,
  body: unknown = {},
  opts: { key?: string; w?: World } = {},
) =>
  posCall(t, (opts.w ?? A).posToken, "POST", `/instruments/${number}/${move}`, {
    body,
    key: opts.key ?? key(),
  });

/** What an instrument's moves wrote, to compare before and after a refusal. */
async function trail(instrumentId: string) {
  const r = await sql<{ t: string }>`select
    (select count(*) from instrument_activities where instrument_id = ${instrumentId}::uuid)::text
    || '/' || (select count(*) from ledger_entries)::text
    || '/' || (select status from instruments where id = ${instrumentId}::uuid)
    || '/' || coalesce((select sum(balance) from ledger_accounts
      where instrument_id = ${instrumentId}::uuid), 0)::text as t`.execute(t.db);
  return r.rows[0].t;
}

/** The amounts the ledger wrote off from the card (its BREAKAGE entries), oldest first. */
async function breakageOf(instrumentId: string): Promise<number[]> {
  const rows = await t.db.selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select("e.amount").where("a.instrument_id", "=", instrumentId)
    .where("e.reference", "=", "BREAKAGE").orderBy("e.id").execute();
  return rows.map((r) => -r.amount);
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(name, async () => {
    await fn();
    await assertLedgerSound(t.db);
    await assertLiabilityMatches(t, allSeries);
  });
}

const STATES: InstrumentStatus[] = ["inactive", "active", "blocked", "expired", "void"];
const POS_MOVES = ["activate", "load", "redeem", "refund", "void"] as const;
const ALLOWED: Record<InstrumentStatus, readonly string[]> = {
  inactive: ["activate", "void"],
  active: ["load", "redeem", "refund", "void"],
  blocked: ["void"],
  expired: ["void"],
  void: [],
};

test("every state × every POS activity: the allowed ones move the card, the others answer 409 and write nothing", async () => {
  for (const state of STATES) {
    for (const move of POS_MOVES) {
      const card = await makeCard(t, A, gift, {
        status: state,
        balance: state === "inactive" ? 0 : 1000,
      });
      const before = await trail(card.id);
      const body = move === "void" || move === "activate" ? {} : { amount: 100 };
      const res = await act(card.number, move, body);
      if (ALLOWED[state].includes(move)) {
        assert.equal(res.status, 200, `${move} from ${state}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json.activity.type, move);
        const expected = move === "void" ? "void" : "active";
        assert.equal(res.json.status, expected, `${move} from ${state}`);
      } else {
        assert.equal(res.status, 409, `${move} from ${state}: ${JSON.stringify(res.json)}`);
        assert.ok(res.type.startsWith("application/problem+json"));
        assert.equal(res.json.type.endsWith(`/instrument-${state}`), true, res.json.type);
        assert.equal(res.json.instrumentStatus, state);
        assert.equal(await trail(card.id), before, `${move} from ${state} wrote nothing`);
      }
    }
  }
});

test("the state machine in one module: staff's block and unblock, and every move per state", () => {
  const table = STATES.map((s) =>
    MOVES.filter((m) => {
      try {
        nextStatus("gift-card", s, m);
        return true;
      } catch {
        return false;
      }
    })
  );
  assert.deepEqual(table, [
    ["activate", "void"],
    ["load", "redeem", "refund", "void", "block"],
    ["void", "unblock"],
    ["void"],
    [],
  ]);
  assert.throws(() => nextStatus("coupon", "active", "load"), /cannot do that/);
  assert.equal(nextStatus("coupon", "active", "block"), "blocked");
  return Promise.resolve();
});

test("activate loads the given amount or the series' initial value; GET shows the card", async () => {
  const card = await makeCard(t, A, credit, { status: "inactive" });
  const activated = await act(card.number, "activate", { receiptNumber: "R-1" });
  assert.equal(activated.status, 200, JSON.stringify(activated.json));
  assert.deepEqual(
    { ...activated.json, activity: { ...activated.json.activity, at: "…", id: "…" } },
    {
      number: card.number,
      type: "store-credit",
      status: "active",
      currency: "EUR",
      balance: 2500,
      expiresAt: null,
      activity: { id: "…", type: "activate", amount: 2500, at: "…" },
    },
  );
  const other = await makeCard(t, A, credit, { status: "inactive" });
  assert.equal((await act(other.number, "activate", { amount: 700 })).json.balance, 700);
  const got = await posCall(t, A.posToken, "GET", `/instruments/${card.number}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, {
    number: card.number,
    type: "store-credit",
    status: "active",
    currency: "EUR",
    balance: 2500,
    expiresAt: null,
  });
  const history = await t.db.selectFrom("instrument_activities").selectAll()
    .where("instrument_id", "=", card.id).execute();
  assert.deepEqual(
    history.map((h) => [h.kind, h.amount, h.balance_after, h.receipt_number, h.pos_id]),
    [["activate", 2500, 2500, "R-1", A.pos.id]],
  );
});

test("load, redeem, refund move the balance; more than the balance is 409 insufficient-funds and writes nothing", async () => {
  const card = await makeCard(t, A, gift, { balance: 1000 });
  assert.equal((await act(card.number, "load", { amount: 500 })).json.balance, 1500);
  assert.equal((await act(card.number, "redeem", { amount: 1200 })).json.balance, 300);
  assert.equal((await act(card.number, "refund", { amount: 200 })).json.balance, 500);
  const before = await trail(card.id);
  const refused = await act(card.number, "redeem", { amount: 501 });
  assert.equal(refused.status, 409);
  assert.match(refused.json.type, /\/insufficient-funds$/);
  assert.deepEqual(refused.json.errors, [{ field: "amount", message: "more than the balance" }]);
  assert.equal(await trail(card.id), before);
});

test("allowPartial redeems the balance and says how much; an empty card is still refused", async () => {
  const card = await makeCard(t, A, gift, { balance: 800 });
  const partial = await act(card.number, "redeem", { amount: 1000, allowPartial: true });
  assert.equal(partial.status, 200);
  assert.equal(partial.json.balance, 0);
  assert.equal(partial.json.activity.amount, 800);
  assert.equal(partial.json.activity.requested, 1000);
  const empty = await act(card.number, "redeem", { amount: 100, allowPartial: true });
  assert.equal(empty.status, 409);
  assert.match(empty.json.type, /\/insufficient-funds$/);
});

test("50 concurrent redemptions of 10.00 on a card loaded with 100.00: exactly 10 succeed, balance 0", async () => {
  const card = await makeCard(t, A, gift, { balance: 10_000 });
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => act(card.number, "redeem", { amount: 1000 })),
  );
  const ok = answers.filter((a) => a.status === 200);
  const refused = answers.filter((a) => a.status === 409);
  assert.equal(ok.length, 10);
  assert.equal(refused.length, 40);
  assert.ok(refused.every((a) => a.json.type.endsWith("/insufficient-funds")));
  assert.deepEqual(ok.map((a) => a.json.balance).sort((a, b) => a - b), [
    0,
    1000,
    2000,
    3000,
    4000,
    5000,
    6000,
    7000,
    8000,
    9000,
  ]);
  const got = await posCall(t, A.posToken, "GET", `/instruments/${card.number}`);
  assert.equal(got.json.balance, 0);
  const redeemed = await t.db.selectFrom("instrument_activities")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("instrument_id", "=", card.id).where("kind", "=", "redeem").executeTakeFirstOrThrow();
  assert.equal(Number(redeemed.n), 10);
});

test("a retry of each activity with its key answers the first answer byte for byte and moves nothing", async () => {
  const card = await makeCard(t, A, gift, { status: "inactive" });
  const steps: [string, Record<string, unknown>][] = [
    ["activate", { amount: 1000 }],
    ["load", { amount: 500 }],
    ["redeem", { amount: 300 }],
    ["refund", { amount: 100 }],
    ["void", { reason: "lost" }],
  ];
  for (const [move, body] of steps) {
    const k = key();
    const first = await act(card.number, move, body, { key: k });
    assert.equal(first.status, 200, `${move}: ${JSON.stringify(first.json)}`);
    const before = await trail(card.id);
    const again = await act(card.number, move, body, { key: k });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get("Idempotent-Replayed"), "true");
    assert.deepEqual(again.json, first.json);
    assert.equal(await trail(card.id), before, `${move} retried moved nothing`);
    const reused = await act(card.number, move, { ...body, receiptNumber: "other" }, { key: k });
    assert.equal(reused.status, 422);
    assert.match(reused.json.type, /\/idempotency-key-reused$/);
  }
  // The void wrote off the 13.00 left, once however often it was retried.
  assert.equal(
    (await posCall(t, A.posToken, "GET", `/instruments/${card.number}`)).json.balance,
    0,
  );
  assert.deepEqual(await breakageOf(card.id), [1300]);
});

test("20 concurrent retries of one redemption move the money once", async () => {
  const card = await makeCard(t, A, gift, { balance: 5000 });
  const k = key();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => act(card.number, "redeem", { amount: 1000 }, { key: k })),
  );
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(new Set(answers.map((a) => JSON.stringify(a.json))).size, 1);
  assert.equal(answers.filter((a) => a.headers.get("Idempotent-Replayed") === "true").length, 19);
  assert.equal(
    (await posCall(t, A.posToken, "GET", `/instruments/${card.number}`)).json.balance,
    4000,
  );
});

test("another programme's card is not found, for every activity and the balance", async () => {
  const theirs = await makeCard(t, B, otherGift, { balance: 1000 });
  const before = await trail(theirs.id);
  assert.equal((await posCall(t, A.posToken, "GET", `/instruments/${theirs.number}`)).status, 404);
  for (const move of POS_MOVES) {
    const res = await act(
      theirs.number,
      move,
      move === "void" || move === "activate" ? {} : {
        amount: 100,
      },
    );
    assert.equal(res.status, 404, move);
    assert.match(res.json.type, /\/not-found$/);
  }
  assert.equal(await trail(theirs.id), before);
  assert.equal((await posCall(t, B.posToken, "GET", `/instruments/${theirs.number}`)).status, 200);
});

test("bad input: another currency, a coupon, no key, a bad amount — 422 or 409 and nothing written", async () => {
  const card = await makeCard(t, A, gift, { balance: 1000 });
  const before = await trail(card.id);
  const usd = await act(card.number, "load", { amount: 100, currency: "USD" });
  assert.equal(usd.status, 422);
  assert.deepEqual(usd.json.errors, [{
    field: "currency",
    message: "must be EUR, the instrument's currency",
  }]);
  const coupon = await makeCard(t, A, coupons, { status: "inactive" });
  const onCoupon = await act(coupon.number, "load", { amount: 100 });
  assert.equal(onCoupon.status, 409);
  assert.match(onCoupon.json.type, /\/wrong-instrument-type$/);
  const noKey = await posCall(t, A.posToken, "POST", `/instruments/${card.number}/load`, {
    body: { amount: 100 },
  });
  assert.equal(noKey.status, 422);
  assert.equal(noKey.json.errors[0].field, "idempotency-key");
  for (const amount of [0, -5, 1.5, "10", 1e13]) {
    const bad = await act(card.number, "redeem", { amount });
    assert.equal(bad.status, 422, `amount ${amount}`);
    assert.equal(bad.json.errors[0].field, "amount");
  }
  const extra = await act(card.number, "load", { amount: 100, points: 5 });
  assert.equal(extra.status, 422);
  assert.equal(await trail(card.id), before);
});

test("expiry is read on the store's clock: good through its last day there", () => {
  const card = { status: "active" as const, expires_at: new Date("2026-06-30T10:00:00Z") };
  // 10:00 UTC on 30 June is 22:00 in Auckland: the expiry date is 30 June there.
  assert.equal(currentStatus(card, "Pacific/Auckland", new Date("2026-06-30T11:59:00Z")), "active");
  assert.equal(
    currentStatus(card, "Pacific/Auckland", new Date("2026-06-30T12:00:00Z")),
    "expired",
  );
  assert.equal(currentStatus(card, "America/New_York", new Date("2026-07-01T03:59:00Z")), "active");
  assert.equal(currentStatus({ ...card, status: "void" }, "UTC", new Date("2030-01-01")), "void");
  return Promise.resolve();
});

test("a card past its expiry answers expired at the POS and refuses money", async () => {
  const card = await makeCard(t, A, gift, { balance: 1000, status: "expired" });
  const got = await posCall(t, A.posToken, "GET", `/instruments/${card.number}`);
  assert.equal(got.json.status, "expired");
  const redeem = await act(card.number, "redeem", { amount: 100 });
  assert.equal(redeem.status, 409);
  assert.match(redeem.json.type, /\/instrument-expired$/);
});

test("staff block and unblock with a reason, audited; a blocked card refuses the POS", async () => {
  const card = await makeCard(t, A, gift, { balance: 1000 });
  await staffMove(t.db, card.id, { move: "block", reason: "reported stolen" }, A.owner);
  const refused = await act(card.number, "redeem", { amount: 100 });
  assert.equal(refused.status, 409);
  assert.match(refused.json.type, /\/instrument-blocked$/);
  const state = await staffMove(t.db, card.id, { move: "unblock", reason: "found" }, A.owner);
  assert.equal(state.status, "active");
  assert.equal((await act(card.number, "redeem", { amount: 100 })).json.balance, 900);
  await assert.rejects(
    staffMove(t.db, card.id, { move: "unblock", reason: "again" }, A.owner),
    /already active/,
  );
  const audit = await t.db.selectFrom("audit_log").select(["action", "after"])
    .where("entity", "=", "instrument").where("entity_id", "=", card.id).orderBy("at").execute();
  assert.deepEqual(audit.map((a) => a.action), ["activate", "block", "unblock"]);
  const reasons = await t.db.selectFrom("instrument_activities").select(["kind", "reason"])
    .where("instrument_id", "=", card.id).where("staff_id", "is not", null).orderBy("id")
    .execute();
  assert.deepEqual(reasons.map((r) => [r.kind, r.reason]), [
    ["activate", "test"],
    ["block", "reported stolen"],
    ["unblock", "found"],
  ]);
});

test("void writes off the balance as breakage, on the history, and stops every move", async () => {
  const card = await makeCard(t, A, credit, { balance: 1200 });
  const voided = await act(card.number, "void", { reason: "damaged" });
  assert.equal(voided.status, 200);
  assert.deepEqual(
    [voided.json.status, voided.json.balance, voided.json.activity.amount],
    ["void", 0, 1200],
  );
  assert.deepEqual(await breakageOf(card.id), [1200]);
  const row = await t.db.selectFrom("instrument_activities").select(["amount", "balance_after"])
    .where("instrument_id", "=", card.id).where("kind", "=", "void").executeTakeFirstOrThrow();
  assert.deepEqual([row.amount, row.balance_after], [-1200, 0]);
  assert.equal((await act(card.number, "void", {})).status, 409);
  assert.equal((await act(card.number, "refund", { amount: 100 })).status, 409);
  assert.deepEqual(await breakageOf(card.id), [1200]);
});

test("voiding an empty card writes nothing off and posts nothing", async () => {
  const card = await makeCard(t, A, gift, { balance: 300 });
  await act(card.number, "redeem", { amount: 300 });
  const voided = await act(card.number, "void", {});
  assert.deepEqual([voided.json.status, voided.json.activity.amount], ["void", 0]);
  assert.deepEqual(await breakageOf(card.id), []);
});

test("20 concurrent retries of one void write off once", async () => {
  const card = await makeCard(t, A, gift, { balance: 2500 });
  const k = key();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => act(card.number, "void", { reason: "lost" }, { key: k })),
  );
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(new Set(answers.map((a) => JSON.stringify(a.json))).size, 1);
  assert.equal(answers[0].json.activity.amount, 2500);
  assert.deepEqual(await breakageOf(card.id), [2500]);
});

test("a void racing a redemption on one card: the money is redeemed or written off, never both", async () => {
  const cards = await Promise.all(
    Array.from({ length: 8 }, () => makeCard(t, A, gift, { balance: 1000 })),
  );
  await Promise.all(cards.map(async (card) => {
    const [redeem, voided] = await Promise.all([
      act(card.number, "redeem", { amount: 600 }),
      act(card.number, "void", { reason: "stolen" }),
    ]);
    assert.equal(voided.status, 200);
    const redeemed = redeem.status === 200 ? redeem.json.activity.amount : 0;
    if (redeem.status !== 200) {
      assert.equal(redeem.status, 409);
      assert.match(redeem.json.type, /\/instrument-void$/);
    }
    assert.equal(redeemed + voided.json.activity.amount, 1000, "every cent accounted for once");
    assert.deepEqual(
      await breakageOf(card.id),
      voided.json.activity.amount ? [voided.json.activity.amount] : [],
    );
    const got = await posCall(t, A.posToken, "GET", `/instruments/${card.number}`);
    assert.deepEqual([got.json.status, got.json.balance], ["void", 0]);
  }));
});

test("the OpenAPI document describes every activity: body fields, the key, the error types", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  const get = doc.paths["/api/pos/v1/instruments/{number}"].get;
  assert.deepEqual(get.security, [{ posBearer: [] }]);
  const fields: Record<string, string[]> = {
    activate: ["amount", "currency", "receiptNumber"],
    load: ["amount", "currency", "receiptNumber"],
    redeem: ["allowPartial", "amount", "currency", "receiptNumber"],
    refund: ["amount", "currency", "receiptNumber"],
    void: ["reason", "receiptNumber"],
  };
  const resolve = (schema: { $ref?: string }) =>
    schema.$ref ? doc.components.schemas[schema.$ref.split("/").pop()!] : schema;
  for (const [move, names] of Object.entries(fields)) {
    const op = doc.paths[`/api/pos/v1/instruments/{number}/${move}`].post;
    assert.deepEqual(op.security, [{ posBearer: [] }], move);
    const keyHeader = op.parameters.find((p: { name: string }) => p.name === "idempotency-key");
    assert.equal(keyHeader?.required, true, `${move} requires an Idempotency-Key`);
    const body = resolve(op.requestBody.content["application/json"].schema);
    assert.deepEqual(Object.keys(body.properties).sort(), names, move);
    for (const status of ["200", "404", "409", "422"]) assert.ok(op.responses[status], move);
    for (
      const type of ["not-found", "instrument-blocked", "instrument-expired", "instrument-void"]
    ) {
      assert.ok(op.description.includes(type), `${move} documents ${type}`);
    }
    // The card's fields and the activity: InstrumentBalance extended (allOf).
    const answer = resolve(op.responses["200"].content["application/json"].schema);
    const parts = answer.allOf.map(resolve);
    assert.deepEqual(parts.flatMap((p: { properties: object }) => Object.keys(p.properties)), [
      "number",
      "type",
      "status",
      "currency",
      "balance",
      "expiresAt",
      "activity",
    ]);
  }
  const redeem = doc.paths["/api/pos/v1/instruments/{number}/redeem"].post;
  assert.ok(redeem.description.includes("insufficient-funds"));
  return Promise.resolve();
});

Deno.test({
  name: "close",
  fn: () => t.close(),
  sanitizeOps: false,
  sanitizeResources: false,
});
