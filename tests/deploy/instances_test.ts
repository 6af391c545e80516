/**
 * Several instances behind one public address: two apps over one database (PGlite or Postgres)
 * with the same PUBLIC_URL accept each other's device tokens; an instance whose PUBLIC_URL
 * differs (two ports, PUBLIC_URL left unset) refuses them, which is why it must be set.
 */
import assert from "node:assert/strict";
import { adminCall, createTestApp, ORIGIN, problemOf } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, posCall } from "../helpers/world.ts";

const a = await createTestApp({ PUBLIC_URL: ORIGIN });
const b = await createTestApp({ PUBLIC_URL: ORIGIN }, { database: a.database });
const w = await buildWorld(a, { name: "Instances" });

/** A POS token issued by `issuer`'s admin API (signed with the keys of the shared database). */
async function issuedBy(issuer: typeof a) {
  const res = await adminCall(issuer, w.ownerToken, "POST", `/pos/${w.pos.id}/tokens`, {});
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json.token as string;
}

Deno.test(`two instances with the same PUBLIC_URL accept each other's tokens (${testBackend})`, async () => {
  const fromA = await issuedBy(a);
  const fromB = await issuedBy(b);
  for (const [token, instance] of [[fromA, b], [fromB, a], [fromA, a], [fromB, b]] as const) {
    const me = await posCall(instance, token, "GET", "/me");
    assert.equal(me.status, 200, JSON.stringify(me.json));
    assert.equal(me.json.posId, w.pos.id);
  }
  const quote = await posCall(b, fromA, "POST", "/quote", {
    body: {
      currency: "EUR",
      lines: [{ sku: "S1", category: "SOCKS", quantity: 1, unitPrice: 500 }],
      tenders: [{ type: "CASH", amount: 500 }],
    },
  });
  assert.equal(quote.status, 200, JSON.stringify(quote.json));
});

Deno.test(`an instance with another PUBLIC_URL refuses the tokens: 401 (${testBackend})`, async () => {
  // What an instance on port 8001 takes as its issuer when PUBLIC_URL is unset.
  const other = await createTestApp({ PUBLIC_URL: "http://localhost:8001" }, {
    database: a.database,
  });
  const me = await posCall(other, await issuedBy(a), "GET", "/me");
  assert.equal(me.status, 401);
  assert.equal((await problemOf(me)).type, "https://loyalty-edge.dev/problems/unauthorized");
});

Deno.test("close the shared database", async () => {
  await a.close();
});
