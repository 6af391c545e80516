import assert from "node:assert/strict";
import { install } from "@sinonjs/fake-timers";
import {
  base64url,
  decodeJwt,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from "jose";
import type { Status } from "../../db/schema.ts";
import { createPos, type Pos } from "../../registry/pos.ts";
import { createSite, type Site } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { DEVICE_AUDIENCE, DEVICE_SCOPE } from "../../tokens/device_tokens.ts";
import { DEVICE_CACHE_TTL_MS } from "../../tokens/device_verifier.ts";
import { currentSigningKey, publicKeys } from "../../tokens/signing_keys.ts";
import { STAFF_AUDIENCE } from "../../tokens/staff_tokens.ts";
import { adminCall, createTestApp, ORIGIN, problemOf } from "../helpers/app.ts";
import { buildRegistry } from "../helpers/world.ts";

// This instance hears no change notifications: what another instance does reaches it only
// through the caches' time bound, which is what these tests pin down (tests/programme/
// cache_test.ts covers the notified path).
const t = await createTestApp({}, { notifications: false });

/** Org A: site North (store 1: POS 1, 2 (disabled); store 2: POS 1), site South (store 3: POS 1). */
const A = await buildRegistry(t, {
  name: "Acme",
  site: "North",
  morePos: [2],
  moreStores: [{ number: 2, timezone: "Asia/Tokyo" }],
});
const [orgA, north, store1, store2] = [A.org, A.site, A.store, A.stores[1]];
const [pos11, pos12, pos21] = [A.posAt(1, 1), A.posAt(1, 2), A.posAt(2, 1)];
await t.db.updateTable("pos").set({ status: "disabled" }).where("id", "=", pos12.id).execute();
const south = await createSite(t.db, orgA.id, "South", A.owner);
const store3 = await createStore(
  t.db,
  south,
  { number: 3, name: "Three", timezone: "UTC" },
  A.owner,
);
await createPos(t.db, store3, { number: 1, name: "Till 1" }, A.owner);
/** Org B: store 7, POS 4: numbers that exist nowhere in org A. */
const orgB = (await buildRegistry(t, {
  name: "Other",
  store: { number: 7, timezone: "UTC" },
  posNumber: 4,
})).org;
const staffToken = A.ownerToken;

async function issue(path: string): Promise<{ token: string; jti: string }> {
  const res = await adminCall(t, staffToken, "POST", `/${path}/tokens`, { label: "test" });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}
const issuePos = (pos: Pos) => issue(`pos/${pos.id}`);
const issueSite = (site: Site) => issue(`sites/${site.id}`);

function me(token: string, headers: Record<string, string> = {}) {
  return t.request("/api/pos/v1/me", { headers: { Authorization: `Bearer ${token}`, ...headers } });
}

async function assertRefused(res: Response, what: string, reason?: RegExp) {
  assert.equal(res.status, 401, what);
  assert.equal(res.headers.get("WWW-Authenticate"), 'Bearer error="invalid_token"', what);
  const problem = await problemOf(res);
  assert.equal(problem.status, 401, what);
  if (reason) assert.match(problem.detail, reason, what);
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * A device token for POS 1.1 signed with the real key and on record, except for what the
 * case changes: each refusal below is then due to that change alone.
 */
async function forge(
  change: { claims?: Record<string, unknown>; kid?: string; record?: boolean } = {},
) {
  const key = await currentSigningKey(t.db);
  const claims: JWTPayload = {
    iss: ORIGIN,
    aud: DEVICE_AUDIENCE,
    sub: `pos:${pos11.id}`,
    org: orgA.id,
    site: north.id,
    store: store1.id,
    pos: pos11.id,
    scope: DEVICE_SCOPE,
    jti: crypto.randomUUID(),
    iat: now(),
    exp: now() + 3600,
    ...change.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  if (change.record ?? true) await record(claims.jti!, claims.pos as string | undefined);
  return await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: change.kid ?? key.kid })
    .sign(key.privateKey);
}

async function record(jti: string, principalId = pos11.id) {
  const key = await currentSigningKey(t.db);
  await t.db.insertInto("access_tokens").values({
    jti,
    org_id: orgA.id,
    kind: "pos",
    principal_id: principalId,
    kid: key.kid,
    expires_at: new Date(Date.now() + 3600_000),
  }).execute();
}

Deno.test("a genuine POS token: /api/pos/v1/me names the POS, its store and time zone", async () => {
  const { token, jti } = await issuePos(pos11);
  const res = await me(token);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    kind: "pos",
    organizationId: orgA.id,
    siteId: north.id,
    merchantId: null,
    merchantGroupId: null,
    storeId: store1.id,
    storeNumber: 1,
    posId: pos11.id,
    posNumber: 1,
    timezone: "Europe/Paris",
  });
  assert.equal(decodeJwt(token).jti, jti);
  assert.equal((await me(await forge())).status, 200, "the forger makes valid tokens");
});

Deno.test("forged and misused tokens are each refused with 401 and the bearer challenge", async () => {
  const key = await currentSigningKey(t.db);
  const publicX = (await publicKeys(t.db)).find((k) => k.kid === key.kid)!.jwk.x!;
  const claims = decodeJwt(await forge());
  const attacker = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const revokedJti = crypto.randomUUID();
  const revoked = await forge({ claims: { jti: revokedJti } });
  await t.db.updateTable("access_tokens").set({ revoked_at: new Date() })
    .where("jti", "=", revokedJti).execute();
  const otherPosJti = crypto.randomUUID();
  await record(otherPosJti, pos21.id);
  const [h, p, s] = (await forge()).split(".");
  const tampered = base64url.encode(
    JSON.stringify({ ...decodeJwt(`${h}.${p}.${s}`), sub: `pos:${pos21.id}`, pos: pos21.id }),
  );

  // [token, what the refusal says]: each case is refused for its own reason.
  const cases: Record<string, [string, RegExp]> = {
    "alg none": [new UnsecuredJWT(claims).encode(), /not valid/],
    "HS256 with the Ed25519 public key as the HMAC secret": [
      await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: key.kid })
        .sign(base64url.decode(publicX)),
      /not valid/,
    ],
    "unknown kid": [
      await new SignJWT({ ...claims, jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: "EdDSA", kid: crypto.randomUUID() }).sign(attacker.privateKey),
      /unknown key id/,
    ],
    "another key claiming our kid": [
      await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .sign(attacker.privateKey),
      /not valid/,
    ],
    "no kid": [
      await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA" }).sign(key.privateKey),
      /unknown key id/,
    ],
    "wrong aud (the staff audience)": [await forge({ claims: { aud: STAFF_AUDIENCE } }), /"aud"/],
    "wrong iss": [await forge({ claims: { iss: "https://evil.example" } }), /"iss"/],
    "expired 120 s ago (beyond the 60 s skew)": [
      await forge({ claims: { exp: now() - 120 } }),
      /expired/,
    ],
    "nbf an hour ahead": [await forge({ claims: { nbf: now() + 3600 } }), /"nbf"/],
    "missing exp": [await forge({ claims: { exp: undefined } }), /missing required "exp"/],
    "missing jti": [
      await forge({ claims: { jti: undefined }, record: false }),
      /missing required "jti"/,
    ],
    "missing sub": [await forge({ claims: { sub: undefined } }), /missing required "sub"/],
    "a jti that is not a UUID": [
      await forge({ claims: { jti: "x" }, record: false }),
      /not a device token/,
    ],
    "another scope": [await forge({ claims: { scope: "admin" } }), /not a device token/],
    "revoked jti": [revoked, /revoked/],
    "a jti never issued": [await forge({ record: false }), /not on record/],
    "a jti on record for another POS": [
      await forge({ claims: { jti: otherPosJti }, record: false }),
      /not on record/,
    ],
    "an org claim that is not the one on record": [
      await forge({ claims: { org: orgB.id } }),
      /not on record/,
    ],
    "tampered payload": [`${h}.${tampered}.${s}`, /not valid/],
    "a staff token": [staffToken, /"aud"/],
    "garbage": ["not-a-jwt", /not valid/],
  };
  for (const [name, [token, reason]] of Object.entries(cases)) {
    await assertRefused(await me(token), name, reason);
  }

  await assertRefused(await t.request("/api/pos/v1/me"), "no Authorization header");
  await assertRefused(
    await t.request("/api/pos/v1/me", { headers: { Authorization: "Basic YTpi" } }),
    "another scheme",
  );
  await assertRefused(await t.request("/api/pos/v1/unknown"), "unknown path, no token");
  const unknown = await t.request("/api/pos/v1/unknown", {
    headers: { Authorization: `Bearer ${await forge()}` },
  });
  assert.equal(unknown.status, 404, "authenticated: an unknown path is a 404");
  await unknown.body?.cancel();

  const within = await me(await forge({ claims: { exp: now() - 30 } }));
  assert.equal(within.status, 200, "expired 30 s ago is inside the clock skew");
  await within.body?.cancel();
});

Deno.test("a POS token is refused by the admin API, a staff token by the POS API", async () => {
  const { token } = await issuePos(pos11);
  const admin = await t.request("/api/admin/v1/me", {
    headers: { Authorization: `Bearer ${token}` },
  });
  await assertRefused(admin, "POS token on the admin API");
  await assertRefused(await me(staffToken), "staff token on the POS API");
});

Deno.test("a token stops working when its POS, store, site or organization is disabled", async () => {
  const cases: [string, (s: Status) => Promise<unknown>][] = [
    ["POS", (s) => t.db.updateTable("pos").set({ status: s }).where("id", "=", pos11.id).execute()],
    [
      "store",
      (s) => t.db.updateTable("stores").set({ status: s }).where("id", "=", store1.id).execute(),
    ],
    [
      "site",
      (s) => t.db.updateTable("sites").set({ status: s }).where("id", "=", north.id).execute(),
    ],
    [
      "organization",
      (s) =>
        t.db.updateTable("organizations").set({ status: s }).where("id", "=", orgA.id).execute(),
    ],
  ];
  for (const [what, setStatus] of cases) {
    await setStatus("disabled");
    try {
      // A fresh jti: what the database says is not cached yet.
      await assertRefused(await me(await forge()), `${what} disabled`, /disabled/);
    } finally {
      await setStatus("active");
    }
  }
  const back = await me(await forge());
  assert.equal(back.status, 200, "enabled again");
  await back.body?.cancel();
  await assertRefused(
    await me(await forge({ claims: { sub: `pos:${pos12.id}`, pos: pos12.id } })),
    "a disabled POS",
    /disabled/,
  );
});

Deno.test("a site token acts as the site, or for a POS of its site named by store and POS number", async () => {
  const { token } = await issueSite(north);
  const asSite = await me(token);
  assert.equal(asSite.status, 200);
  assert.deepEqual(await asSite.json(), {
    kind: "site",
    organizationId: orgA.id,
    siteId: north.id,
    merchantId: null,
    merchantGroupId: null,
    storeId: null,
    storeNumber: null,
    posId: null,
    posNumber: null,
    timezone: null,
  });

  const asPos = await me(token, { "X-Store-Number": "2", "X-POS-Number": "1" });
  assert.equal(asPos.status, 200);
  assert.deepEqual(await asPos.json(), {
    kind: "site",
    organizationId: orgA.id,
    siteId: north.id,
    merchantId: null,
    merchantGroupId: null,
    storeId: store2.id,
    storeNumber: 2,
    posId: pos21.id,
    posNumber: 1,
    timezone: "Asia/Tokyo",
  });

  const refused: [string, Record<string, string>][] = [
    ["an unknown POS number", { "X-Store-Number": "1", "X-POS-Number": "9" }],
    ["a disabled POS", { "X-Store-Number": "1", "X-POS-Number": "2" }],
    ["a POS of another site", { "X-Store-Number": "3", "X-POS-Number": "1" }],
    ["another organization's POS numbers", { "X-Store-Number": "7", "X-POS-Number": "4" }],
  ];
  for (const [what, headers] of refused) await assertRefused(await me(token, headers), what);

  const oneHeader = await me(token, { "X-Store-Number": "1" });
  assert.equal(oneHeader.status, 422);
  assert.deepEqual((await problemOf(oneHeader)).errors.map((e: { field: string }) => e.field), [
    "x-pos-number",
  ]);
  const notNumbers = await me(token, { "X-Store-Number": "one", "X-POS-Number": "0" });
  assert.equal(notNumbers.status, 422);
  assert.deepEqual(
    (await problemOf(notNumbers)).errors.map((e: { field: string }) => e.field).sort(),
    ["x-pos-number", "x-store-number"],
  );
});

Deno.test("a POS token may name only itself with X-Store-Number and X-POS-Number", async () => {
  const { token } = await issuePos(pos11);
  const self = await me(token, { "X-Store-Number": "1", "X-POS-Number": "1" });
  assert.equal(self.status, 200);
  assert.equal((await self.json()).posId, pos11.id);
  await assertRefused(
    await me(token, { "X-Store-Number": "2", "X-POS-Number": "1" }),
    "a POS token naming another POS",
  );
});

Deno.test("revocation: another instance's revocation is seen within the cache TTL; a revocation through the API at once", async () => {
  const clock = install({ toFake: ["Date"], now: Date.now() });
  try {
    const elsewhere = await issuePos(pos11);
    assert.equal((await me(elsewhere.token)).status, 200, "verified: the answer is cached");
    // Another instance revokes: only the database changes, this instance's cache does not.
    await t.db.updateTable("access_tokens").set({ revoked_at: new Date() })
      .where("jti", "=", elsewhere.jti).execute();
    clock.tick(DEVICE_CACHE_TTL_MS - 1);
    const cached = await me(elsewhere.token);
    assert.equal(cached.status, 200, "still cached just before the TTL");
    await cached.body?.cancel();
    clock.tick(1);
    await assertRefused(await me(elsewhere.token), "refused once the TTL has passed", /revoked/);

    const here = await issuePos(pos11);
    const before = await me(here.token);
    assert.equal(before.status, 200);
    await before.body?.cancel();
    const del = await adminCall(t, staffToken, "DELETE", `/tokens/${here.jti}`);
    assert.equal(del.status, 204);
    await assertRefused(
      await me(here.token),
      "refused at once: the revoke evicted the cache",
      /revoked/,
    );

    const site = await issueSite(north);
    const acting = { "X-Store-Number": "1", "X-POS-Number": "1" };
    const asPos = await me(site.token, acting);
    assert.equal(asPos.status, 200);
    await asPos.body?.cancel();
    await adminCall(t, staffToken, "DELETE", `/tokens/${site.jti}`);
    await assertRefused(await me(site.token, acting), "acting for a POS: evicted too");
  } finally {
    clock.uninstall();
  }
});

Deno.test("disabling a POS through the admin API stops its token within the cache TTL", async () => {
  const clock = install({ toFake: ["Date"], now: Date.now() });
  try {
    const { token } = await issuePos(pos21);
    assert.equal((await me(token)).status, 200);
    const patch = await adminCall(t, staffToken, "PATCH", `/pos/${pos21.id}`, {
      status: "disabled",
    });
    assert.equal(patch.status, 200);
    clock.tick(DEVICE_CACHE_TTL_MS);
    await assertRefused(await me(token), "disabled POS after the TTL", /disabled/);
  } finally {
    clock.uninstall();
    await t.db.updateTable("pos").set({ status: "active" }).where("id", "=", pos21.id).execute();
  }
});

Deno.test({ name: "close the test app", fn: () => t.close() });
