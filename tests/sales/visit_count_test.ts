/** The rules see a member's visits so far, from the statistics that sales keep. */
import assert from "node:assert/strict";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Visits", member: { number: "V1", categories: ["GOLD"] } });
// 10 points for a returning member: from the second visit on.
await publishRules(t, w, [{
  id: "welcome-back",
  name: "Welcome back",
  enabled: true,
  priority: 10,
  conditions: { all: [{ fact: "visitCount", operator: "greaterThanInclusive", value: 1 }] },
  event: { type: "basket-points", params: { points: 10 } },
}]);

const body = (receiptNumber: string, at: string) => ({
  currency: "EUR",
  at,
  receiptNumber,
  customer: { number: "V1" },
  lines: [{ sku: "A", category: "MISC", quantity: 1, unitPrice: 1000 }],
  tenders: [{ type: "CASH", amount: 1000 }],
});

Deno.test(`a returning member's second visit earns what the first did not (${testBackend})`, async () => {
  const first = await posCall(t, w.posToken, "POST", "/sales", {
    body: body("V-1", "2026-06-01T10:00:00+02:00"),
    key: "v-1",
  });
  assert.equal(first.status, 201, JSON.stringify(first.json));
  assert.equal(first.json.points, 0);
  const quote = await posCall(t, w.posToken, "POST", "/quote", {
    body: { ...body("", "2026-06-02T10:00:00+02:00"), receiptNumber: undefined },
  });
  assert.equal(quote.json.points, 10);
  const second = await posCall(t, w.posToken, "POST", "/sales", {
    body: body("V-2", "2026-06-02T10:00:00+02:00"),
    key: "v-2",
  });
  assert.equal(second.json.points, 10);
  await assertLedgerSound(t.db);
});

Deno.test("close", () => t.close());
