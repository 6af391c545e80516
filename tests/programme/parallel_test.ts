/**
 * Every core (`deno task start:parallel`): the caches stay correct across server processes.
 * Two servers on one Postgres database, as a deployment runs them: A (`main.ts`) and B
 * (`main.ts --parallel`, two `deno serve` workers, each with caches of its own). A publishes
 * rules, changes settings and revokes a till's token through its admin API; B answers with
 * the new version, the new settings and a refusal within the caches' documented bound
 * (programme/cache.ts, tokens/device_verifier.ts: 5 s; the NOTIFY usually makes it at once).
 * B is asked over a new connection each time, so that its workers, which share the port, all
 * answer: 20 in a row agreeing (each worker picked at random by the kernel) is the check.
 *
 * Postgres only: PGlite is one process (`--parallel` refuses it), and the in-process instances
 * of tests/programme/cache_test.ts cover one process on both databases.
 */
import assert from "node:assert/strict";
import { PROGRAMME_CACHE_TTL_MS } from "../../programme/cache.ts";
import { DEVICE_CACHE_TTL_MS } from "../../tokens/device_verifier.ts";
import { buildIslands } from "../../web/build.ts";
import { createTestApp, ORIGIN } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";
import { freePort, startServer } from "../browser/server.ts";

/** One request on a connection of its own; answers status and JSON. */
async function call(base: string, path: string, init: RequestInit = {}) {
  const client = Deno.createHttpClient({});
  try {
    const res = await fetch(base + path, { ...init, client });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  } finally {
    client.close();
  }
}

/**
 * Polls until 20 answers in a row satisfy `check`; one that does not after `ms` (and a second
 * for an answer in flight at the bound) fails.
 */
async function allWithin(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  let inARow = 0;
  while (inARow < 20) {
    inARow = (await check()) ? inARow + 1 : 0;
    if (performance.now() - start > ms + 1_000 && inARow === 0) {
      assert.fail(`not seen by every worker within ${ms} ms`);
    }
    if (inARow === 0) await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - start;
}

Deno.test({
  name: "two server processes, one of them --parallel: rules, settings and revocations cross",
  ignore: testBackend !== "postgres",
  async fn() {
    await buildIslands();
    const t = await createTestApp();
    // The world first: its tokens' signing key is written in clear, as the servers then read it.
    const w = await buildWorld(t, { member: { number: "C1" } });
    const c2 = await posCall(t, w.posToken, "POST", "/customers", {
      body: { number: "C2", name: "Cash Customer", categories: ["CASH"] },
      key: "c2",
    });
    assert.equal(c2.status, 201);
    await publishRules(t, w, [
      memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } }),
    ]);
    const env = {
      DATABASE_URL: t.database.url,
      PUBLIC_URL: ORIGIN,
      TOKEN_KEY_SECRET: "",
      ALLOW_UNENCRYPTED_KEYS: "true",
      RATE_LIMIT_POS_PER_MINUTE: "0",
      RATE_LIMIT_ADMIN_PER_MINUTE: "0",
      LOG_REQUESTS: "false",
    };
    const a = await startServer({ ...env, PORT: String(freePort()) });
    const b = await startServer(
      { ...env, PORT: String(freePort()), DENO_JOBS: "2" },
      60_000,
      ["-A"],
      ["--parallel"],
    ).catch(async (err) => {
      await a.stop();
      throw err;
    });
    try {
      assert.match(b.output(), /"msg":"starting workers"[^\n]*"workers":2/);
      const pos = { Authorization: `Bearer ${w.posToken}` };
      const admin = { Authorization: `Bearer ${w.ownerToken}`, "Content-Type": "application/json" };
      const quote = () =>
        call(b.url, "/api/pos/v1/quote", {
          method: "POST",
          headers: { ...pos, "Content-Type": "application/json" },
          body: JSON.stringify({
            currency: "EUR",
            customer: { number: "C1" },
            lines: [{ sku: "A", category: "X", quantity: 1, unitPrice: 1000 }],
            tenders: [],
          }),
        });
      const member = async () =>
        (await call(b.url, "/api/pos/v1/customers/lookup?number=C2", { headers: pos })).json
          .customer.member;
      // Every worker of B warm, on rules version 1 and C2 a member.
      for (let i = 0; i < 20; i++) {
        const q = await quote();
        assert.deepEqual([q.status, q.json.rulesVersion, q.json.points], [200, 1, 10]);
        assert.equal(await member(), true);
      }

      // Rules published through A's admin API.
      const rules = `${a.url}/api/admin/v1/merchant-groups/${w.group.id}/rules`;
      const state = await call(rules, "", { headers: admin });
      const saved = await call(rules, "/draft", {
        method: "PUT",
        headers: admin,
        body: JSON.stringify({
          version: state.json.draft.version,
          rules: [memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 3 } })],
        }),
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.json));
      const published = await call(rules, "/publish", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ draftVersion: saved.json.version }),
      });
      assert.equal(published.json.version, 2);
      const rulesMs = await allWithin(PROGRAMME_CACHE_TTL_MS, async () => {
        const q = await quote();
        return q.json.rulesVersion === 2 && q.json.points === 30;
      });

      // Settings changed through A: C2's category becomes a plain customer's.
      const settingsUrl = `${a.url}/api/admin/v1/merchant-groups/${w.group.id}/settings`;
      const settings = await call(settingsUrl, "", { headers: admin });
      const put = await call(settingsUrl, "", {
        method: "PUT",
        headers: admin,
        body: JSON.stringify({
          version: settings.json.version,
          settings: { ...settings.json.settings, nonLoyaltyCategoryCodes: ["CASH"] },
        }),
      });
      assert.equal(put.status, 200, JSON.stringify(put.json));
      const settingsMs = await allWithin(
        PROGRAMME_CACHE_TTL_MS,
        async () => (await member()) === false,
      );

      // The till's token revoked through A: refused there at once, then by every worker of B.
      const tokens = await call(a.url, `/api/admin/v1/tokens?principal=pos:${w.pos.id}`, {
        headers: admin,
      });
      const revoked = await call(a.url, `/api/admin/v1/tokens/${tokens.json.items[0].jti}`, {
        method: "DELETE",
        headers: admin,
      });
      assert.equal(revoked.status, 204);
      assert.equal((await call(a.url, "/api/pos/v1/me", { headers: pos })).status, 401);
      const revokedMs = await allWithin(
        DEVICE_CACHE_TTL_MS,
        async () => (await call(b.url, "/api/pos/v1/me", { headers: pos })).status === 401,
      );
      console.log(
        `seen by every worker of the other server after: publish ${rulesMs.toFixed(0)} ms, ` +
          `settings ${settingsMs.toFixed(0)} ms, revocation ${revokedMs.toFixed(0)} ms`,
      );
    } finally {
      await b.stop();
      await a.stop();
      await t.close();
    }
  },
});
