import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { LIMITS } from "../staff/login_limit.ts";
import { currentSigningKey } from "../tokens/signing_keys.ts";
import { STAFF_AUDIENCE } from "../tokens/staff_tokens.ts";
import {
  addMember,
  addOwner,
  bearerFor,
  createTestApp,
  ORIGIN,
  PASSWORD,
  problemOf,
  signIn,
  type TestApp,
} from "./helpers/app.ts";

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function withApp(fn: (t: TestApp) => Promise<void>) {
  const t = await createTestApp();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

Deno.test("first run: /setup creates the owner once, then sends people to sign in", () =>
  withApp(async (t) => {
    assert.equal((await t.request("/")).headers.get("Location"), "/setup");
    const setupPage = await t.request("/setup");
    assert.equal(setupPage.status, 200);

    const form = (fields: Record<string, string>) => ({
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: new URLSearchParams(fields),
    });
    const short = await t.request(
      "/setup",
      form({ name: "O", email: "o@example.com", password: "short" }),
    );
    assert.equal(short.status, 422);
    assert.match(await short.text(), /at least 12 characters/);

    const ok = await t.request(
      "/setup",
      form({ name: "Olivia", email: "owner@example.com", password: PASSWORD }),
    );
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get("Location"), "/console");
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith("le_session="))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);

    const again = await t.request(
      "/setup",
      form({ name: "Mallory", email: "m@example.com", password: PASSWORD }),
    );
    assert.equal(again.headers.get("Location"), "/login");
    assert.equal((await t.request("/setup")).headers.get("Location"), "/login");
    const owners = await t.db.selectFrom("staff_users").select("email").execute();
    assert.deepEqual(owners, [{ email: "owner@example.com" }]);
  }));

Deno.test("concurrent first-run setups create exactly one owner", () =>
  withApp(async (t) => {
    const attempts = Array.from({ length: 5 }, (_, i) =>
      t.request("/setup", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
        body: new URLSearchParams({
          name: `P${i}`,
          email: `p${i}@example.com`,
          password: PASSWORD,
        }),
      }));
    await Promise.all(attempts);
    const rows = await t.db.selectFrom("staff_users").select("is_owner").execute();
    assert.deepEqual(rows, [{ is_owner: true }]);
  }));

Deno.test("token endpoint: wrong password and unknown user answer alike", () =>
  withApp(async (t) => {
    await addOwner(t);
    const wrong = await t.request(
      "/api/auth/token",
      json({ email: "owner@example.com", password: "not the password" }),
    );
    const unknown = await t.request(
      "/api/auth/token",
      json({ email: "nobody@example.com", password: "not the password" }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const [a, b] = [await problemOf(wrong), await problemOf(unknown)];
    assert.deepEqual(a, b);
    assert.equal(a.type, "https://loyalty-edge.dev/problems/invalid-credentials");

    const ok = await t.request(
      "/api/auth/token",
      json({ email: "OWNER@example.com", password: PASSWORD }),
    );
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.equal(body.tokenType, "Bearer");
    const me = await t.request("/api/admin/v1/me", {
      headers: { Authorization: `Bearer ${body.token}` },
    });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).isOwner, true);
  }));

Deno.test("sign-in is rate limited per account, and a limited account is refused even with the right password", () =>
  withApp(async (t) => {
    await addOwner(t);
    for (let i = 0; i < LIMITS.perAccount; i++) {
      const r = await t.request(
        "/api/auth/token",
        json({ email: "owner@example.com", password: `guess ${i}` }),
      );
      assert.equal(r.status, 401);
      await r.body?.cancel();
    }
    const limited = await t.request(
      "/api/auth/token",
      json({ email: "owner@example.com", password: PASSWORD }),
    );
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("Retry-After"), "900");
    assert.equal(
      (await problemOf(limited)).type,
      "https://loyalty-edge.dev/problems/too-many-attempts",
    );
  }));

Deno.test("sign-in is rate limited per address across accounts", () =>
  withApp(async (t) => {
    await addOwner(t);
    // app.request() has no socket, so every call comes from the same "unknown" address.
    for (let i = 0; i < LIMITS.perAddress; i++) {
      const r = await t.request(
        "/api/auth/token",
        json({ email: `spray${i}@example.com`, password: "x" }),
      );
      await r.body?.cancel();
    }
    const r = await t.request(
      "/api/auth/token",
      json({ email: "owner@example.com", password: PASSWORD }),
    );
    assert.equal(r.status, 429);
    await r.body?.cancel();
  }));

Deno.test("bearer tokens: expired, tampered, wrong audience and garbage are refused with 401", () =>
  withApp(async (t) => {
    const owner = await addOwner(t);
    const key = await currentSigningKey(t.db);
    const sign = (claims: { aud?: string; expOffset: number }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setIssuer(ORIGIN)
        .setAudience(claims.aud ?? STAFF_AUDIENCE)
        .setSubject(`staff:${owner.id}`)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + claims.expOffset)
        .sign(key.privateKey);

    const valid = await bearerFor(t, "owner@example.com");
    const [h, p, s] = valid.split(".");
    const payload = JSON.parse(atob(p.replaceAll("-", "+").replaceAll("_", "/")));
    const forged = btoa(JSON.stringify({ ...payload, sub: "staff:someone-else" }))
      .replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");

    const cases: Record<string, string> = {
      "expired beyond the 60 s skew": await sign({ expOffset: -120 }),
      "wrong audience": await sign({ aud: "loyalty-edge:pos", expOffset: 600 }),
      "tampered payload": `${h}.${forged}.${s}`,
      "garbage": "not-a-jwt",
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await t.request("/api/admin/v1/me", {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 401, name);
      assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer/, name);
      assert.equal((await problemOf(res)).status, 401, name);
    }
    const withinSkew = await sign({ expOffset: -30 });
    const res = await t.request("/api/admin/v1/me", {
      headers: { Authorization: `Bearer ${withinSkew}` },
    });
    assert.equal(res.status, 200, "a token expired 30 s ago is inside the allowed clock skew");
    await res.body?.cancel();
  }));

Deno.test("roles: only the owner creates organizations; only admins invite staff", () =>
  withApp(async (t) => {
    await addOwner(t);
    const ownerToken = await bearerFor(t, "owner@example.com");
    const created = await t.request(
      "/api/admin/v1/organizations",
      json({ name: "Acme" }, { Authorization: `Bearer ${ownerToken}` }),
    );
    assert.equal(created.status, 201);
    const org = await created.json();
    for (const role of ["admin", "marketing", "support"] as const) {
      await addMember(t, org.id, role, `${role}@example.com`);
    }
    let n = 0;
    for (
      const [email, expected] of [
        ["owner@example.com", 201],
        ["admin@example.com", 201],
        ["marketing@example.com", 403],
        ["support@example.com", 403],
      ] as const
    ) {
      const token = await bearerFor(t, email);
      const res = await t.request(
        `/api/admin/v1/organizations/${org.id}/staff`,
        json({ email: `new${n++}@example.com`, name: "New", role: "support" }, {
          Authorization: `Bearer ${token}`,
        }),
      );
      assert.equal(res.status, expected, email);
      if (expected === 403) {
        assert.equal((await problemOf(res)).type, "https://loyalty-edge.dev/problems/forbidden");
      } else await res.body?.cancel();
      const orgCreate = await t.request(
        "/api/admin/v1/organizations",
        json({ name: "Mine" }, { Authorization: `Bearer ${token}` }),
      );
      assert.equal(orgCreate.status, email.startsWith("owner") ? 201 : 403, email);
      await orgCreate.body?.cancel();
    }
    const nobody = await t.request("/api/admin/v1/organizations", json({ name: "X" }));
    assert.equal(nobody.status, 401);
    await nobody.body?.cancel();
  }));

Deno.test("cookie sessions: CSRF token required on unsafe requests; sign-out ends the session", () =>
  withApp(async (t) => {
    await addOwner(t);
    const { cookie, csrf } = await signIn(t, "owner@example.com");
    const body = { name: "Acme" };

    const orgs = "/api/admin/v1/organizations";
    const missing = await t.request(orgs, json(body, { Cookie: cookie }));
    assert.equal(missing.status, 403);
    assert.equal((await problemOf(missing)).type, "https://loyalty-edge.dev/problems/csrf");
    const wrong = await t.request(orgs, json(body, { Cookie: cookie, "X-CSRF-Token": "nope" }));
    assert.equal(wrong.status, 403);
    await wrong.body?.cancel();
    const written = await t.db.selectFrom("organizations").select("id").execute();
    assert.equal(written.length, 0, "nothing written");

    const ok = await t.request(orgs, json(body, { Cookie: cookie, "X-CSRF-Token": csrf }));
    assert.equal(ok.status, 201);
    await ok.body?.cancel();

    const noCsrfLogout = await t.request("/logout", {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: ORIGIN,
      },
      body: new URLSearchParams({}),
    });
    assert.equal(noCsrfLogout.status, 403);
    await noCsrfLogout.body?.cancel();

    const logout = await t.request("/logout", {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: ORIGIN,
      },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    assert.equal(logout.status, 302);
    const after = await t.request("/console", { headers: { Cookie: cookie } });
    assert.equal(after.status, 302);
    assert.match(after.headers.get("Location")!, /^\/login/);
  }));

Deno.test("a cross-site form post to sign-in is refused by origin", () =>
  withApp(async (t) => {
    await addOwner(t);
    const res = await t.request("/login", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: "https://evil.example",
      },
      body: new URLSearchParams({ email: "owner@example.com", password: PASSWORD }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.getSetCookie().length, 0);
    await res.body?.cancel();
  }));

Deno.test("console pages need a session; the sign-in page redirects only to local paths", () =>
  withApp(async (t) => {
    await addOwner(t);
    const anon = await t.request("/console");
    assert.equal(anon.status, 302);
    assert.equal(anon.headers.get("Location"), "/login?next=%2Fconsole");
    const res = await t.request("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: new URLSearchParams({
        email: "owner@example.com",
        password: PASSWORD,
        next: "//evil.example/x",
      }),
    });
    assert.equal(res.headers.get("Location"), "/console");
  }));
