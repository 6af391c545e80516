/**
 * POST /api/pos/v1/sync: an offline POS's batch, applied in order, each transaction as its
 * single call would; one bad transaction does not stop the others; the same batch twice
 * changes nothing and answers the same. On PGlite or Postgres; ledger invariants after each.
 */
import assert from "node:assert/strict";
import { pointsBalances } from "../../ledger/balances.ts";
import { statisticsOf } from "../../members/statistics.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Sync", member: { number: "S1", categories: ["GOLD"] } });
await publishRules(t, w, [{
  id: "basic",
  name: "basic",
  enabled: true,
  priority: 10,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event: { type: "basic-points", params: { pointsPerUnit: 1 } },
}]);
const member = w.member!.customer;

const sale = (receiptNumber: string, at: string, unitPrice = 1000) => ({
  currency: "EUR",
  at,
  receiptNumber,
  customer: { number: "S1" },
  lines: [{ sku: "A", category: "MISC", quantity: 1, unitPrice }],
  tenders: [{ type: "CASH", amount: unitPrice }],
});

const batch = {
  transactions: [
    { kind: "sale", idempotencyKey: "off-1", body: sale("O-1", "2026-05-01T09:00:00+02:00") },
    { kind: "sale", idempotencyKey: "off-2", body: sale("O-2", "2026-05-01T23:30:00+02:00") },
    // Bad: no lines' tenders shape; the rest still apply.
    {
      kind: "sale",
      idempotencyKey: "off-3",
      body: { ...sale("O-3", "2026-05-02T09:00:00+02:00"), lines: "x" },
    },
    {
      kind: "return",
      idempotencyKey: "off-4",
      body: {
        receiptNumber: "O-4",
        at: "2026-05-02T10:00:00+02:00",
        original: { receiptNumber: "O-1" },
        lines: [{ sku: "A", quantity: 1, unitPrice: 1000 }],
        tenders: [{ type: "CASH", amount: 1000 }],
      },
    },
    // Refused at the ledger: more points than the member has; nothing of it is written.
    {
      kind: "sale",
      idempotencyKey: "off-5",
      body: {
        ...sale("O-5", "2026-05-02T11:00:00+02:00"),
        tenders: [{ type: "points", points: 1000 }],
      },
    },
    { kind: "sale", idempotencyKey: "off-6", body: sale("O-6", "2026-05-03T09:00:00+02:00", 500) },
  ],
};

Deno.test(`an offline batch applies in order, one result each, bad ones alone refused (${testBackend})`, async () => {
  const first = await posCall(t, w.posToken, "POST", "/sync", { body: batch });
  assert.equal(first.status, 200, JSON.stringify(first.json));
  const results = first.json.results;
  assert.deepEqual(
    results.map((r: { idempotencyKey: string; status: number }) => [r.idempotencyKey, r.status]),
    [
      ["off-1", 201],
      ["off-2", 201],
      ["off-3", 422],
      ["off-4", 201],
      ["off-5", 409],
      ["off-6", 201],
    ],
  );
  assert.equal(results[2].body.errors[0].field, "lines");
  assert.ok(results[4].body.type.endsWith("insufficient-points"));
  assert.equal(results[3].body.pointsReversed, 10);
  // 10 + 10 − 10 + 5
  assert.equal((await pointsBalances(t.db, [member.id])).get(member.id), 1500);
  // Each sale keeps its own time: three trading days, three visits.
  const stats = (await statisticsOf(t.db, [member.id])).get(member.id)!;
  assert.equal(stats.salesCount, 3);
  assert.equal(stats.spend, 1500);
  assert.equal(new Date(stats.lastVisit!).toISOString(), "2026-05-03T07:00:00.000Z");

  // The single call with the same key answers what the batch said.
  const single = await posCall(t, w.posToken, "POST", "/sales", {
    body: batch.transactions[0].body,
    key: "off-1",
  });
  assert.equal(single.status, 201);
  assert.deepEqual(single.json, results[0].body);

  const counts = async () => ({
    sales:
      (await t.db.selectFrom("sales").select("id").where("org_id", "=", w.org.id).execute()).length,
    entries: (await t.db.selectFrom("ledger_entries").select("id").where("org_id", "=", w.org.id)
      .execute()).length,
  });
  const before = await counts();
  const again = await posCall(t, w.posToken, "POST", "/sync", { body: batch });
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, first.json);
  assert.deepEqual(await counts(), before);
  await assertLedgerSound(t.db);
});

Deno.test(`a batch is at most 500 transactions, each with a valid key (${testBackend})`, async () => {
  const tooMany = await posCall(t, w.posToken, "POST", "/sync", {
    body: {
      transactions: Array.from(
        { length: 501 },
        (_, i) => ({ kind: "sale", idempotencyKey: `k${i}`, body: {} }),
      ),
    },
  });
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.json.errors[0].field, "transactions");
  const badKey = await posCall(t, w.posToken, "POST", "/sync", {
    body: { transactions: [{ kind: "sale", idempotencyKey: "has space", body: {} }] },
  });
  assert.equal(badKey.status, 422);
  assert.equal(badKey.json.errors[0].field, "transactions.0.idempotencyKey");
});

Deno.test("close", () => t.close());
