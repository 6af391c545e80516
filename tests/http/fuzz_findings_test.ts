/**
 * The 5xx and non-problem answers the fuzz (fuzz_test.ts) found, reproduced as found and
 * asserted fixed. The body guard's own findings (deep bodies, lone surrogates, broken forms)
 * are in body_guard_test.ts.
 */
import assert from "node:assert/strict";
import { adminCall, createTestApp, problemOf } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, posCall } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Findings" });

const sales = async () =>
  Number(
    (await t.db.selectFrom("sales").select((e) => e.fn.countAll().as("n"))
      .executeTakeFirstOrThrow()).n,
  );

Deno.test(`a sale at 9999-12-31T23:59Z (year 10000 on a Paris clock) is a 422 on at (${testBackend})`, async () => {
  const before = await sales();
  for (const at of ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00-12:00", "1999-12-31T23:59:59Z"]) {
    const res = await posCall(t, w.posToken, "POST", "/sales", {
      key: `edge-${at}`,
      body: {
        currency: "EUR",
        at,
        receiptNumber: `E-${at.slice(0, 4)}`,
        lines: [{ sku: "A", category: "C", quantity: 1, unitPrice: 100 }],
        tenders: [{ type: "CASH", amount: 100 }],
      },
    });
    assert.equal(res.status, 422, JSON.stringify(res.json));
    assert.deepEqual(res.json.errors, [{
      field: "at",
      message: "a time in the years 2000 to 2099",
    }]);
  }
  const quote = await posCall(t, w.posToken, "POST", "/quote", {
    body: { currency: "EUR", at: "9999-12-31T23:59:59Z", lines: [], tenders: [] },
  });
  assert.equal(quote.status, 422);
  assert.equal(await sales(), before, "nothing written");
});

Deno.test(`/healthz, /readyz and /.well-known answer a 4xx as problem+json, not a page (${testBackend})`, async () => {
  for (const path of ["/healthz?%00=1", "/readyz?%00=1", "/.well-known/nothing"]) {
    const res = await t.request(path);
    assert.ok(res.status === 422 || res.status === 404, path);
    assert.equal((await problemOf(res)).status, res.status);
  }
});

Deno.test(`a page of names outside Latin-1 has a cursor to the next (${testBackend})`, async () => {
  for (const name of ["Caf\u00e9 \u4e2d\u6587", "\u{1f600} group"]) {
    const made = await adminCall(t, w.ownerToken, "POST", "/merchant-groups", {
      organizationId: w.org.id,
      name,
    });
    assert.equal(made.status, 201, JSON.stringify(made.json));
  }
  const names: string[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const query = new URLSearchParams({ organizationId: w.org.id, limit: "1" });
    if (cursor) query.set("cursor", cursor);
    const res = await adminCall(t, w.ownerToken, "GET", `/merchant-groups?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    names.push(...res.json.items.map((g: { name: string }) => g.name));
    cursor = res.json.nextCursor;
  }
  assert.deepEqual(
    names.toSorted(),
    ["Caf\u00e9 \u4e2d\u6587", "Findings", "\u{1f600} group"].toSorted(),
  );
});

Deno.test("fuzz findings: close", async () => {
  await t.close();
});
