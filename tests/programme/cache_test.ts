/**
 * Programme data and verified tokens are cached per instance: a change is seen by the next POS
 * call on the instance that made it, and within the documented bound (5 s; in practice the
 * LISTEN/NOTIFY delay) on another instance of the same database.
 */
import assert from "node:assert/strict";
import { createApp } from "../../app.tsx";
import { connect } from "../../db/connection.ts";
import { PROGRAMME_CACHE_TTL_MS } from "../../programme/cache.ts";
import { DEVICE_CACHE_TTL_MS } from "../../tokens/device_verifier.ts";
import { adminCall, createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, posCall, publishRules } from "../helpers/world.ts";

async function withApp(fn: (t: TestApp) => Promise<void>) {
  const t = await createTestApp();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

/** A second instance on the same database: its own connection (on a server) and caches. */
async function secondInstance(t: TestApp) {
  const conn = testBackend === "postgres" ? await connect(t.database.url) : undefined;
  const app = createApp({
    db: conn?.db ?? t.db,
    dbKind: t.database.kind,
    config: t.config,
    assets: { islands: {}, files: {} },
    listen: conn?.listen ?? t.database.listen,
  });
  return {
    request: (path: string, init?: RequestInit) => app.request(ORIGIN + path, init),
    close: () => conn?.close(),
  };
}

/** Polls `check` until it holds; answers how long that took (ms). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > ms) assert.fail(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const memberFlag = async (t: TestApp, token: string, number: string) =>
  (await posCall(t, token, "GET", `/customers/lookup?number=${number}`)).json.customer.member;

Deno.test("a settings change is seen by the next POS call of the instance that made it", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: { number: "C1", categories: ["CASH"] } });
    assert.equal(await memberFlag(t, w.posToken, "C1"), true, "warm the cache");
    const settings = await adminCall(
      t,
      w.ownerToken,
      "GET",
      `/merchant-groups/${w.group.id}/settings`,
    );
    const saved = await adminCall(
      t,
      w.ownerToken,
      "PUT",
      `/merchant-groups/${w.group.id}/settings`,
      {
        version: settings.json.version,
        settings: { ...settings.json.settings, nonLoyaltyCategoryCodes: ["CASH"] },
      },
    );
    assert.equal(saved.status, 200);
    assert.equal(await memberFlag(t, w.posToken, "C1"), false, "the very next call");
  }));

Deno.test("a merchant joining a group is seen by the next POS call", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const store = await adminCall(t, w.ownerToken, "POST", `/sites/${w.site.id}/stores`, {
      number: 5,
      name: "Outlet",
      timezone: "Europe/Paris",
    });
    const pos = await adminCall(t, w.ownerToken, "POST", `/stores/${store.json.id}/pos`, {
      number: 1,
      name: "Till",
    });
    const token = (await adminCall(t, w.ownerToken, "POST", `/pos/${pos.json.id}/tokens`, {}))
      .json.token;
    const merchant = await adminCall(t, w.ownerToken, "POST", "/merchants", {
      organizationId: w.org.id,
      name: "Outlet merchant",
      storeIds: [store.json.id],
    });
    const before = await posCall(t, token, "GET", "/customers/lookup?number=X");
    assert.equal(before.json.type.endsWith("/merchant-not-in-group"), true);
    await adminCall(t, w.ownerToken, "POST", `/merchant-groups/${w.group.id}/merchants`, {
      merchantId: merchant.json.id,
    });
    const after = await posCall(t, token, "GET", "/customers/lookup?number=X");
    assert.equal(after.status, 404, "now in the programme: the customer is simply unknown");
  }));

Deno.test(`another instance sees a settings change within ${PROGRAMME_CACHE_TTL_MS} ms (${testBackend})`, () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: { number: "C2", categories: ["CASH"] } });
    const other = await secondInstance(t);
    try {
      const otherFlag = async () =>
        (await (await other.request("/api/pos/v1/customers/lookup?number=C2", {
          headers: { Authorization: `Bearer ${w.posToken}` },
        })).json()).customer.member;
      assert.equal(await otherFlag(), true, "warm the other instance's cache");
      const settings = await adminCall(
        t,
        w.ownerToken,
        "GET",
        `/merchant-groups/${w.group.id}/settings`,
      );
      await adminCall(t, w.ownerToken, "PUT", `/merchant-groups/${w.group.id}/settings`, {
        version: settings.json.version,
        settings: { ...settings.json.settings, nonLoyaltyCategoryCodes: ["CASH"] },
      });
      const ms = await within(PROGRAMME_CACHE_TTL_MS, async () => (await otherFlag()) === false);
      console.log(`settings change seen by another instance after ${ms.toFixed(0)} ms`);
    } finally {
      await other.close();
    }
  }));

Deno.test(`another instance quotes with newly published rules within ${PROGRAMME_CACHE_TTL_MS} ms (${testBackend})`, () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: { number: "C3" } });
    const rule = (pointsPerUnit: number) => ({
      id: "basic",
      name: "Basic",
      enabled: true,
      priority: 10,
      conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
      event: { type: "basic-points", params: { pointsPerUnit } },
    });
    await publishRules(t, w, [rule(1)]);
    const other = await secondInstance(t);
    try {
      const otherQuote = async () =>
        (await (await other.request("/api/pos/v1/quote", {
          method: "POST",
          headers: { Authorization: `Bearer ${w.posToken}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            currency: "EUR",
            customer: { number: "C3" },
            lines: [{ sku: "A", category: "X", quantity: 1, unitPrice: 1000 }],
            tenders: [],
          }),
        })).json()) as { rulesVersion: number; points: number };
      const warm = await otherQuote();
      assert.deepEqual(
        [warm.rulesVersion, warm.points],
        [1, 10],
        "warm the other instance's cache",
      );
      await publishRules(t, w, [rule(3)]);
      const ms = await within(
        PROGRAMME_CACHE_TTL_MS,
        async () => (await otherQuote()).points === 30,
      );
      assert.equal((await otherQuote()).rulesVersion, 2);
      console.log(`publish seen by another instance after ${ms.toFixed(0)} ms`);
    } finally {
      await other.close();
    }
  }));

Deno.test(`another instance refuses a revoked token within ${DEVICE_CACHE_TTL_MS} ms (${testBackend})`, () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const other = await secondInstance(t);
    try {
      const me = async () =>
        (await other.request("/api/pos/v1/me", {
          headers: { Authorization: `Bearer ${w.posToken}` },
        })).status;
      assert.equal(await me(), 200, "warm the other instance's token cache");
      const tokens = await adminCall(t, w.ownerToken, "GET", `/tokens?principal=pos:${w.pos.id}`);
      const revoked = await adminCall(
        t,
        w.ownerToken,
        "DELETE",
        `/tokens/${tokens.json.items[0].jti}`,
      );
      assert.equal(revoked.status, 204);
      assert.equal((await posCall(t, w.posToken, "GET", "/me")).status, 401, "at once here");
      const ms = await within(DEVICE_CACHE_TTL_MS, async () => (await me()) === 401);
      console.log(`revocation seen by another instance after ${ms.toFixed(0)} ms`);
    } finally {
      await other.close();
    }
  }));
