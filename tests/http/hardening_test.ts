/**
 * Each finding of the attacker's review, reproduced as it was found and asserted fixed:
 * invitations that took over accounts, idempotency scopes shared between merchants, an open
 * redirect, 500s from bad input and races, a racy sign-in throttle, and the hardening gaps.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { startGeneration } from "../../instruments/generation.ts";
import { createSeries } from "../../instruments/series.ts";
import { createPos } from "../../registry/pos.ts";
import { currentSigningKey } from "../../tokens/signing_keys.ts";
import { STAFF_AUDIENCE } from "../../tokens/staff_tokens.ts";
import { DEVICE_AUDIENCE } from "../../tokens/device_tokens.ts";
import {
  adminCall,
  bearerFor,
  ORIGIN,
  PASSWORD,
  signIn,
  type TestApp,
  withApp,
} from "../helpers/app.ts";
import { buildWorld, posCall, type World } from "../helpers/world.ts";

/** Two tenants, A and B, each with an admin of its own (not the owner). */
async function twoTenants(t: TestApp) {
  const A = await buildWorld(t, { name: "Acme" });
  const B = await buildWorld(t, { name: "Bolt" });
  const admins: Record<string, string> = {};
  for (const [key, w] of [["A", A], ["B", B]] as const) {
    const email = `admin-${key.toLowerCase()}@example.com`;
    const invited = await adminCall(t, A.ownerToken, "POST", `/organizations/${w.org.id}/staff`, {
      email,
      name: `Admin ${key}`,
      role: "admin",
    });
    assert.equal(invited.status, 201);
    await postForm(t, new URL(invited.json.inviteUrl).pathname, { password: PASSWORD });
    admins[key] = await bearerFor(t, email);
  }
  return { A, B, adminA: admins.A, adminB: admins.B };
}

const postForm = (t: TestApp, path: string, fields: Record<string, string>, cookie?: string) =>
  t.request(path, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(fields),
  });

const invite = (t: TestApp, token: string, w: World, email: string, name = "Victim") =>
  adminCall(t, token, "POST", `/organizations/${w.org.id}/staff`, { email, name, role: "admin" });

const canToken = (t: TestApp, email: string, password: string) =>
  bearerFor(t, email, password).then(() => true, () => false);

Deno.test("1: a pending invitation from B cannot be taken over through A's link", () =>
  withApp(async (t) => {
    const { A, B, adminA } = await twoTenants(t);
    const fromB = await invite(t, A.ownerToken, B, "victim@x.example");
    assert.equal(fromB.status, 201);
    const fromA = await invite(t, adminA, A, "victim@x.example");
    assert.equal(fromA.status, 201);

    // A's admin follows their own link and chooses the password: allowed (the account had
    // none), and it joins A only.
    const accepted = await postForm(t, new URL(fromA.json.inviteUrl).pathname, {
      password: "attacker password 1",
    });
    assert.equal(accepted.status, 302);
    const hijacked = await bearerFor(t, "victim@x.example", "attacker password 1");
    const me = await adminCall(t, hijacked, "GET", "/me");
    assert.deepEqual(me.json.memberships, [{ organizationId: A.org.id, role: "admin" }]);
    assert.equal((await adminCall(t, hijacked, "GET", `/organizations/${B.org.id}`)).status, 404);
    const bStaff = await adminCall(t, B.ownerToken, "GET", `/organizations/${B.org.id}/staff`);
    const pending = bStaff.json.items.find((m: { email: string }) =>
      m.email === "victim@x.example"
    );
    assert.equal(pending.active, false, "B's membership stays pending: it grants nothing");

    // B's link can no longer set a password: the account has one.
    const bPath = new URL(fromB.json.inviteUrl).pathname;
    const page = await t.request(bPath);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.doesNotMatch(html, /type="password"/, "no password form for an account with one");
    assert.match(html, /Sign in/);
  }));

Deno.test("2: an old invitation link never resets the password of an active account", () =>
  withApp(async (t) => {
    const { A, B, adminB } = await twoTenants(t);
    const fromB = await invite(t, adminB, B, "user@x.example");
    const fromA = await invite(t, A.ownerToken, A, "user@x.example");
    const aPath = new URL(fromA.json.inviteUrl).pathname;
    assert.equal((await postForm(t, aPath, { password: "users own password" })).status, 302);

    const bPath = new URL(fromB.json.inviteUrl).pathname;
    const reset = await postForm(t, bPath, { password: "b admins password!" });
    assert.equal(reset.status, 403);
    await reset.body?.cancel();
    assert.equal(await canToken(t, "user@x.example", "b admins password!"), false);
    assert.equal(await canToken(t, "user@x.example", "users own password"), true);

    // The person themselves, signed in, accepts B's invitation: then both memberships hold.
    const { cookie, csrf } = await signIn(t, "user@x.example", "users own password");
    const join = await t.request(bPath, { headers: { Cookie: cookie } });
    assert.match(await join.text(), /Join Bolt/);
    const joined = await postForm(t, bPath, { _csrf: csrf }, cookie);
    assert.equal(joined.status, 302);
    const token = await bearerFor(t, "user@x.example", "users own password");
    const me = await adminCall(t, token, "GET", "/me");
    assert.deepEqual(
      me.json.memberships.map((m: { organizationId: string }) => m.organizationId).sort(),
      [A.org.id, B.org.id].sort(),
    );
    const again = await postForm(t, bPath, { _csrf: csrf }, cookie);
    assert.equal(again.status, 404, "the link works once");
    await again.body?.cancel();
  }));

Deno.test("2b: another signed-in person cannot accept an invitation addressed to someone else", () =>
  withApp(async (t) => {
    const { A, B, adminA } = await twoTenants(t);
    const fromB = await invite(t, B.ownerToken, B, "admin-a@example.com", "Admin A");
    assert.equal(fromB.status, 201);
    await invite(t, adminA, A, "other@x.example");
    const bPath = new URL(fromB.json.inviteUrl).pathname;
    const { cookie, csrf } = await signIn(t, "owner@example.com");
    const refused = await postForm(t, bPath, { _csrf: csrf }, cookie);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    const aStaff = await adminCall(t, adminA, "GET", `/organizations/${B.org.id}`);
    assert.equal(aStaff.status, 404, "A's admin is still not in B");
  }));

Deno.test("3: an invitation reveals nothing about an existing account and adds no one unasked", () =>
  withApp(async (t) => {
    const { A, B, adminA } = await twoTenants(t);
    const known = await invite(t, adminA, A, "admin-b@example.com", "Typed Name");
    const unknown = await invite(t, adminA, A, "nobody@x.example", "Typed Name");
    assert.equal(known.status, 201);
    assert.equal(unknown.status, 201);
    const shape = (j: { member: Record<string, unknown>; inviteUrl: string }) => ({
      keys: Object.keys(j.member).sort(),
      name: j.member.name,
      active: j.member.active,
      role: j.member.role,
      link: typeof j.inviteUrl,
    });
    assert.deepEqual(shape(known.json), shape(unknown.json));
    assert.equal(known.json.member.name, "Typed Name", "not the account's real name");
    assert.equal(known.json.member.active, false);

    const listed = await adminCall(t, adminA, "GET", `/organizations/${A.org.id}/staff`);
    const bAdmin = listed.json.items.find((m: { email: string }) =>
      m.email === "admin-b@example.com"
    );
    assert.deepEqual({ name: bAdmin.name, active: bAdmin.active }, {
      name: "Typed Name",
      active: false,
    });
    const bToken = await bearerFor(t, "admin-b@example.com");
    const me = await adminCall(t, bToken, "GET", "/me");
    assert.deepEqual(me.json.memberships, [{ organizationId: B.org.id, role: "admin" }]);
    assert.equal((await adminCall(t, bToken, "GET", `/organizations/${A.org.id}`)).status, 404);
  }));

Deno.test("4: idempotency keys are scoped by the authenticated principal, for every token kind", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { name: "Acme", member: null, moreStores: [{ number: 2 }] });
    const other = await buildWorld(t, { name: "Bolt", member: null });
    // A second merchant and group in the same organization as `w`, of its store 2.
    const group2 = await adminCall(t, w.ownerToken, "POST", "/merchant-groups", {
      organizationId: w.org.id,
      name: "Second programme",
    });
    const merchant2 = await adminCall(t, w.ownerToken, "POST", "/merchants", {
      organizationId: w.org.id,
      name: "Second merchant",
      storeIds: [w.stores[1].id],
    });
    await adminCall(t, w.ownerToken, "POST", `/merchant-groups/${group2.json.id}/merchants`, {
      merchantId: merchant2.json.id,
    });
    const tokenOf = async (path: string) =>
      (await adminCall(t, w.ownerToken, "POST", path, { label: "scope" })).json.token as string;
    const m1 = await tokenOf(`/merchants/${w.merchant.id}/tokens`);
    const m2 = await tokenOf(`/merchants/${merchant2.json.id}/tokens`);
    const acting = { "X-Store-Number": "1", "X-POS-Number": "1" };

    const body = { name: "Same Body", categories: ["GOLD"] };
    const callers: [string, string, Record<string, string>][] = [
      ["merchant 1", m1, {}],
      ["merchant 2", m2, {}],
      ["merchant 1 for POS 1", m1, acting],
      ["site for POS 1", w.siteToken, acting],
      ["POS 1", w.posToken, {}],
      ["another organization's POS", other.posToken, {}],
    ];
    const numbers = new Set<string>();
    for (const [who, token, headers] of callers) {
      const res = await posCall(t, token, "POST", "/customers", {
        body,
        key: "shared-key",
        headers,
      });
      assert.equal(res.status, 201, `${who}: ${JSON.stringify(res.json)}`);
      assert.equal(res.headers.get("Idempotent-Replayed"), null, `${who} sees no other's answer`);
      numbers.add(res.json.customer.number);
      const again = await posCall(t, token, "POST", "/customers", {
        body,
        key: "shared-key",
        headers,
      });
      assert.equal(again.headers.get("Idempotent-Replayed"), "true", `${who} replays its own`);
      assert.equal(again.json.customer.number, res.json.customer.number);
    }
    assert.equal(numbers.size, callers.length, "each principal created its own customer");
  }));

Deno.test("5: sign-in sends only to paths of this origin", () =>
  withApp(async (t) => {
    await buildWorld(t, { member: null });
    const bad = ["/\\evil.example/x", "/\t/evil.example", "//evil.example", "/\\\\evil", "x"];
    for (const next of bad) {
      const res = await postForm(t, "/login", {
        email: "owner@example.com",
        password: PASSWORD,
        next,
      });
      assert.equal(res.headers.get("Location"), "/console", JSON.stringify(next));
    }
    const good = await postForm(t, "/login", {
      email: "owner@example.com",
      password: PASSWORD,
      next: "/console/devices?x=1",
    });
    assert.equal(good.headers.get("Location"), "/console/devices?x=1");
    const { cookie } = await signIn(t, "owner@example.com");
    for (const next of bad) {
      const res = await t.request(`/login?next=${encodeURIComponent(next)}`, {
        headers: { Cookie: cookie },
      });
      assert.equal(res.headers.get("Location"), "/console", JSON.stringify(next));
    }
  }));

Deno.test("6a: a NUL in any text field or query is a 422 naming the field, and writes nothing", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const created = await posCall(t, w.posToken, "POST", "/customers", {
      body: { name: "Ni\u0000na", categories: ["GOLD"] },
      key: "k1",
    });
    assert.equal(created.status, 422);
    assert.equal(created.json.errors[0].field, "name");
    const count = await t.db.selectFrom("customers").select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
    const lookup = await posCall(t, w.posToken, "GET", "/customers/lookup?email=a%00b@x.example");
    assert.equal(lookup.status, 422);
    assert.equal(lookup.json.errors[0].field, "email");
    const org = await adminCall(t, w.ownerToken, "POST", "/organizations", { name: "A\u0000" });
    assert.equal(org.status, 422);
    assert.equal(org.json.errors[0].field, "name");
  }));

Deno.test("6b: ids that are not UUIDs answer 4xx, never 500", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    for (const path of ["/merchants?organizationId=abc", "/merchant-groups?organizationId=abc"]) {
      const res = await adminCall(t, w.ownerToken, "GET", path);
      assert.equal(res.status, 422, path);
      assert.equal(res.json.errors[0].field, "organizationId");
    }
    const del = await adminCall(t, w.ownerToken, "DELETE", "/organizations/abc");
    assert.equal(del.status, 404);
    assert.ok(del.type.startsWith("application/problem+json"));
  }));

Deno.test("6c: 20 merchants claiming one store at once: one wins, 19 × 409, nothing lost", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const store = await adminCall(t, w.ownerToken, "POST", `/sites/${w.site.id}/stores`, {
      number: 9,
      name: "Contested",
      timezone: "Europe/Paris",
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        adminCall(t, w.ownerToken, "POST", "/merchants", {
          organizationId: w.org.id,
          name: `Claimant ${i}`,
          storeIds: [store.json.id],
        })),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [201, ...Array(19).fill(409)]);
    for (const a of answers.filter((a) => a.status === 409)) {
      assert.equal(a.json.type.endsWith("/store-taken"), true);
      assert.equal(a.json.errors[0].field, "storeIds.0");
    }
    const merchants = await t.db.selectFrom("merchants").select("id")
      .where("name", "like", "Claimant%").execute();
    assert.equal(merchants.length, 1, "the losers left no merchant behind");
  }));

Deno.test("6c: 20 invitations of one new email at once, to one and to twenty organizations", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const same = await Promise.all(
      Array.from({ length: 20 }, () => invite(t, w.ownerToken, w, "new@x.example")),
    );
    assert.deepEqual(same.map((a) => a.status).sort(), [201, ...Array(19).fill(409)]);

    const orgs = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => adminCall(t, w.ownerToken, "POST", "/organizations", { name: `Org ${i}` }),
      ),
    );
    const many = await Promise.all(
      orgs.map((o) =>
        adminCall(t, w.ownerToken, "POST", `/organizations/${o.json.id}/staff`, {
          email: "Twenty@X.example",
          name: "Twenty",
          role: "support",
        })
      ),
    );
    assert.deepEqual(many.map((a) => a.status), Array(20).fill(201));
    const memberships = await t.db.selectFrom("staff_memberships as m")
      .innerJoin("staff_users as u", "u.id", "m.staff_id")
      .select("m.org_id").where("u.email", "=", "Twenty@X.example").execute();
    assert.equal(memberships.length, 20, "no membership was lost");
  }));

Deno.test("6d: a staff token whose subject is not a UUID is a 401", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const key = await currentSigningKey(t.db);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
      .setIssuer(ORIGIN).setAudience(STAFF_AUDIENCE).setSubject("staff:not-a-uuid")
      .setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime("5m")
      .sign(key.privateKey);
    const res = await adminCall(t, token, "GET", "/me");
    assert.equal(res.status, 401);
    assert.ok(res.type.startsWith("application/problem+json"));
    assert.equal((await adminCall(t, w.ownerToken, "GET", "/me")).status, 200);
  }));

Deno.test("7: a burst of 60 sign-ins checks at most 5 passwords of one account", () =>
  withApp(async (t) => {
    await buildWorld(t, { member: null });
    const answers = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const r = await t.request("/api/auth/token", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ email: "owner@example.com", password: "wrong password" }),
        });
        await r.body?.cancel();
        return r.status;
      }),
    );
    const checked = answers.filter((s) => s === 401).length;
    console.log(`sign-in burst of 60: ${checked} passwords checked`);
    assert.equal(checked, 5);
    assert.equal(answers.filter((s) => s === 429).length, 55);
  }));

Deno.test("8: the staff token answer is not cached; the cookie is Secure when PUBLIC_URL is https", () =>
  withApp(async (t) => {
    await buildWorld(t, { member: null });
    const res = await t.request("/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "owner@example.com", password: PASSWORD }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Cache-Control"), "no-store");
    await res.body?.cancel();
    const login = await postForm(t, "/login", { email: "owner@example.com", password: PASSWORD });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("le_session="))!;
    assert.match(cookie, /; Secure/);
  }, { PUBLIC_URL: "https://loyalty.example" }));

Deno.test("8: rate limits per device token and per staff member answer 429 with Retry-After", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await posCall(t, w.posToken, "GET", "/me")).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await posCall(t, w.posToken, "GET", "/me");
    assert.ok(Number(limited.headers.get("Retry-After")) >= 1);
    assert.ok(limited.type.startsWith("application/problem+json"));
    const other = await adminCall(t, w.ownerToken, "POST", `/pos/${w.pos.id}/tokens`, {});
    assert.equal((await posCall(t, other.json.token, "GET", "/me")).status, 200, "per token");

    const writes = [];
    for (let i = 0; i < 2; i++) {
      writes.push(
        (await adminCall(t, w.ownerToken, "POST", "/organizations", { name: `O${i}` }))
          .status,
      );
    }
    assert.deepEqual(writes, [201, 429]);
    assert.equal((await adminCall(t, w.ownerToken, "GET", "/organizations")).status, 200);
  }, { RATE_LIMIT_POS_PER_MINUTE: "3", RATE_LIMIT_ADMIN_PER_MINUTE: "2" }));

Deno.test("8: a programme runs one instrument generation at a time", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const series = await createSeries(t.db, w.group, {
      name: "Cards",
      type: "gift-card",
      prefix: "42",
      currency: "EUR",
      initialValue: 0,
      expiryDays: null,
    }, w.owner);
    const running = await startGeneration(t.db, series, { count: 10, key: "a", actor: w.owner });
    const second = await adminCall(t, w.ownerToken, "POST", `/series/${series.id}/instruments`, {
      count: 10,
    }, { "Idempotency-Key": "b" });
    assert.equal(second.status, 409);
    assert.ok(second.json.type.endsWith("/generation-running"));
    const retry = await startGeneration(t.db, series, { count: 10, key: "a", actor: w.owner });
    assert.equal(retry.id, running.id, "a retry of the running one is still answered");
  }));

Deno.test("8: a token re-signed with a known jti is checked afresh; a forgery blocks nobody", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    const other = await createPos(t.db, w.store, { number: 2, name: "Other" }, w.owner);
    assert.equal((await posCall(t, w.posToken, "GET", "/me")).status, 200);
    const [, payload] = w.posToken.split(".");
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
    const key = await currentSigningKey(t.db);
    const resigned = await new SignJWT({ ...claims, pos: other.id, sub: `pos:${other.id}` })
      .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
      .setAudience(DEVICE_AUDIENCE)
      .sign(key.privateKey);
    const res = await posCall(t, resigned, "GET", "/me");
    assert.equal(res.status, 401, "same jti, other principal: not the cached answer");
    assert.equal((await posCall(t, w.posToken, "GET", "/me")).json.posId, w.pos.id);
  }));

Deno.test("8: a token issued while its POS is deleted is never answered 201 for a deleted POS", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { member: null });
    for (let i = 0; i < 20; i++) {
      const pos = await createPos(t.db, w.store, { number: 10 + i, name: `Race ${i}` }, w.owner);
      const [issued, deleted] = await Promise.all([
        adminCall(t, w.ownerToken, "POST", `/pos/${pos.id}/tokens`, {}),
        adminCall(t, w.ownerToken, "DELETE", `/pos/${pos.id}`),
      ]);
      assert.ok(
        !(issued.status === 201 && deleted.status === 204),
        `round ${i}: issued ${issued.status}, deleted ${deleted.status}`,
      );
      assert.ok([201, 404].includes(issued.status) && [204, 409].includes(deleted.status));
    }
  }));

Deno.test("POS answers carry the headers of an API answer, pages those of a document", () =>
  withApp(async (t) => {
    const w = await buildWorld(t, { name: "Acme", member: null });
    for (const path of ["/me", "/no-such-route"]) {
      const { headers } = await posCall(t, w.posToken, "GET", path);
      assert.equal(headers.get("X-Content-Type-Options"), "nosniff", path);
      assert.equal(
        headers.get("Content-Security-Policy"),
        "default-src 'none'; frame-ancestors 'none'",
        path,
      );
      assert.match(headers.get("Strict-Transport-Security") ?? "", /max-age=/, path);
      assert.match(headers.get("X-Request-Id") ?? "", /^[0-9a-f-]{36}$/, path);
      for (const name of ["X-Frame-Options", "Cross-Origin-Opener-Policy", "X-XSS-Protection"]) {
        assert.equal(headers.get(name), null, `${path}: ${name}`);
      }
    }
    const page = await t.request("/login");
    assert.equal(page.headers.get("X-Frame-Options"), "SAMEORIGIN");
    assert.match(page.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
    await page.body?.cancel();
  }));
