import assert from "node:assert/strict";
import { LIMITS } from "../../staff/login_limit.ts";
import { addOwner, ORIGIN, PASSWORD, problemOf, signIn, withApp } from "../helpers/app.ts";

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

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
