import assert from "node:assert/strict";
import { install } from "@sinonjs/fake-timers";
import { decodeProtectedHeader } from "jose";
import { connect } from "../../db/connection.ts";
import { issueDeviceToken } from "../../tokens/device_tokens.ts";
import { DEVICE_CACHE_TTL_MS, DeviceVerifier } from "../../tokens/device_verifier.ts";
import { rotateSigningKey } from "../../tokens/rotation.ts";
import { currentSigningKey, publicKeys } from "../../tokens/signing_keys.ts";
import { STAFF_TOKEN_TTL_SECONDS } from "../../tokens/staff_tokens.ts";
import { adminCall, bearerFor, ORIGIN, problemOf, type TestApp, withApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildRegistry } from "../helpers/world.ts";

const V1 = "/api/admin/v1";
const DAY_MS = 86_400_000;
const SKEW_MS = 60_000;

/** Admin API calls as `token`. */
const caller = (t: TestApp, token: string) => (method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

Deno.test("rotation: earlier tokens verify and JWKS lists both keys; past the grace the old key is gone", () =>
  withApp(async (t) => {
    const clock = install({ toFake: ["Date"], now: Date.now() });
    try {
      const { ownerToken: staffOld, pos } = await buildRegistry(t);
      const asOwner = caller(t, staffOld);
      const issue = async () =>
        (await asOwner("POST", `/pos/${pos.id}/tokens`, { ttlDays: 7 })).json.token as string;
      const posOld = await issue();
      const posMe = (token: string) =>
        t.request("/api/pos/v1/me", { headers: { Authorization: `Bearer ${token}` } });
      const staffMe = (token: string) =>
        t.request(`${V1}/me`, { headers: { Authorization: `Bearer ${token}` } });
      const jwks = async () => {
        const res = await t.request("/.well-known/jwks.json");
        assert.equal(res.headers.get("Cache-Control"), "public, max-age=300");
        return (await res.json()).keys as Record<string, string>[];
      };
      const oldKid = decodeProtectedHeader(posOld).kid!;
      assert.equal((await posMe(posOld)).status, 200);

      const rotation = await rotateSigningKey(t.db);
      assert.deepEqual(rotation.retired.map((r) => r.kid), [oldKid]);
      const keys = await jwks();
      assert.deepEqual(keys.map((k) => k.kid).sort(), [oldKid, rotation.kid].sort());
      for (const k of keys) {
        assert.deepEqual(Object.keys(k).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
        assert.equal(k.alg, "EdDSA");
      }
      clock.tick(DEVICE_CACHE_TTL_MS); // the verifier reloads its keys
      assert.equal((await posMe(posOld)).status, 200, "a POS token signed before the rotation");
      assert.equal((await staffMe(staffOld)).status, 200, "a staff token signed before it");
      const posNew = await issue();
      assert.equal(decodeProtectedHeader(posNew).kid, rotation.kid, "the new key signs");
      assert.equal(
        decodeProtectedHeader(await bearerFor(t, "owner@example.com")).kid,
        rotation.kid,
      );

      // The grace is over (as if every token of the old key had expired or been revoked).
      await t.db.updateTable("signing_keys").set({ verify_until: new Date(Date.now() - 1000) })
        .where("kid", "=", oldKid).execute();
      assert.deepEqual((await jwks()).map((k) => k.kid), [rotation.kid]);
      assert.equal((await staffMe(staffOld)).status, 401, "staff token of the old key");
      clock.tick(DEVICE_CACHE_TTL_MS);
      const refused = await posMe(posOld);
      assert.equal(refused.status, 401, "POS token of the old key");
      assert.equal((await problemOf(refused)).detail, "unknown key id");
      assert.equal((await posMe(posNew)).status, 200);
    } finally {
      clock.uninstall();
    }
  }));

Deno.test("rotation grace: the last unrevoked device token's expiry plus skew, at least a staff token's life", () =>
  withApp(async (t) => {
    const { org, pos } = await buildRegistry(t);
    const first = await currentSigningKey(t.db);
    const now = new Date();
    const token = (days: number, revoked = false) => ({
      jti: crypto.randomUUID(),
      org_id: org.id,
      kind: "pos" as const,
      principal_id: pos.id,
      kid: first.kid,
      expires_at: new Date(now.getTime() + days * DAY_MS),
      revoked_at: revoked ? now : null,
    });
    await t.db.insertInto("access_tokens")
      .values([token(30), token(400, true), token(-3), token(12)]).execute();

    const one = await rotateSigningKey(t.db, undefined, now);
    assert.deepEqual(one.retired, [{
      kid: first.kid,
      verifyUntil: new Date(now.getTime() + 30 * DAY_MS + SKEW_MS),
    }]);
    const two = await rotateSigningKey(t.db, undefined, now);
    assert.deepEqual(two.retired, [{
      kid: one.kid,
      verifyUntil: new Date(now.getTime() + STAFF_TOKEN_TTL_SECONDS * 1000 + SKEW_MS),
    }], "a key that signed no device token: a staff token's lifetime plus skew");
    assert.equal((await currentSigningKey(t.db)).kid, two.kid);

    const kids = async (at: Date) => (await publicKeys(t.db, at)).map((k) => k.kid);
    assert.deepEqual(await kids(now), [two.kid, one.kid, first.kid]);
    const later = (ms: number) => new Date(now.getTime() + ms);
    assert.deepEqual(
      await kids(later(STAFF_TOKEN_TTL_SECONDS * 1000 + SKEW_MS)),
      [two.kid, first.kid],
    );
    assert.deepEqual(await kids(later(30 * DAY_MS + SKEW_MS)), [two.kid]);
  }));

Deno.test("rotation racing token issuance: every token's key verifies until the token expires", () =>
  withApp(async (t) => {
    const { owner: staff, pos } = await buildRegistry(t);
    const ctx = { db: t.db, issuer: ORIGIN };
    const issue = () =>
      issueDeviceToken(ctx, { kind: "pos", pos }, { ttlDays: 700, createdBy: staff });
    await currentSigningKey(t.db);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, issue),
      rotateSigningKey(t.db),
      ...Array.from({ length: 10 }, issue),
      rotateSigningKey(t.db),
      ...Array.from({ length: 10 }, issue),
    ]);
    const rows = await t.db.selectFrom("access_tokens as t")
      .innerJoin("signing_keys as k", "k.kid", "t.kid")
      .select(["t.expires_at", "k.retired_at", "k.verify_until"]).execute();
    assert.equal(rows.length, 30);
    for (const r of rows) {
      if (r.retired_at === null) continue;
      assert.ok(
        r.verify_until! >= new Date(r.expires_at.getTime() + SKEW_MS),
        "a token issued during a rotation outlives the grace of its key",
      );
    }
    const verifier = new DeviceVerifier({ db: t.db, issuer: ORIGIN });
    for (const r of results) if ("token" in r) await verifier.verify(r.token);
  }));

Deno.test("deno task keys:rotate migrates the configured database and rotates its key", () =>
  withApp(async (t) => {
    const dataDir = testBackend === "pglite" ? await Deno.makeTempDir() : undefined;
    const env: Record<string, string> = dataDir
      ? { DATABASE_URL: "", DATA_DIR: dataDir }
      : { DATABASE_URL: t.database.url, ALLOW_UNENCRYPTED_KEYS: "true" };
    const run = async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "keys:rotate"],
        cwd: new URL("../..", import.meta.url).pathname,
        env,
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return JSON.parse(text.trim().split("\n").at(-1)!);
    };
    try {
      const first = await run();
      const second = await run();
      assert.equal(first.retired.length, 0, "a fresh database: nothing to retire");
      assert.deepEqual(second.retired.map((r: { kid: string }) => r.kid), [first.kid]);
      const conn = dataDir ? await connect(undefined, { dataDir }) : t.database;
      try {
        const keys = await publicKeys(conn.db);
        assert.deepEqual(keys.map((k) => k.kid), [second.kid, first.kid]);
        assert.equal((await currentSigningKey(conn.db)).kid, second.kid);
      } finally {
        if (dataDir) await conn.close();
      }
    } finally {
      if (dataDir) await Deno.remove(dataDir, { recursive: true });
    }
  }));
