import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader } from "jose";
import type { KyselyPlugin } from "kysely";
import { DEVICE_AUDIENCE, issueDeviceToken } from "../../tokens/device_tokens.ts";
import { DEVICE_CACHE_TTL_MS, DeviceVerifier } from "../../tokens/device_verifier.ts";
import {
  addMember,
  adminCall,
  bearerFor,
  createTestApp,
  ORIGIN,
  problemOf,
  type TestApp,
  withApp,
} from "../helpers/app.ts";
import { buildRegistry } from "../helpers/world.ts";

const V1 = "/api/admin/v1";
const SKEW_MS = 60_000;

/** Admin API calls as `token`. */
const caller = (t: TestApp, token: string) => (method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

const countTokens = async (t: TestApp) =>
  (await t.db.selectFrom("access_tokens").select("jti").execute()).length;

// One app for the admin endpoints; the cache test below gets its own database.
const t = await createTestApp();
const A = await buildRegistry(t, { name: "Acme" });
const B = await buildRegistry(t, { name: "Bolt" });
const owner = A.owner;
const asOwner = caller(t, A.ownerToken);

Deno.test("a POS token is shown once with its claims; only its metadata is stored", async () => {
  const res = await asOwner("POST", `/pos/${A.pos.id}/tokens`, { label: "Till by the door" });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("Cache-Control"), "no-store");
  const body = res.json;
  assert.deepEqual(Object.keys(body).sort(), ["expiresAt", "jti", "token"]);
  const claims = decodeJwt(body.token);
  assert.deepEqual(
    { ...claims, iat: undefined, exp: undefined },
    {
      iss: ORIGIN,
      aud: DEVICE_AUDIENCE,
      sub: `pos:${A.pos.id}`,
      org: A.org.id,
      site: A.site.id,
      store: A.store.id,
      pos: A.pos.id,
      scope: "pos",
      jti: body.jti,
      iat: undefined,
      exp: undefined,
    },
  );
  assert.equal(claims.exp! - claims.iat!, 365 * 86_400, "default lifetime: 365 days");
  assert.equal(body.expiresAt, new Date(claims.exp! * 1000).toISOString());
  const header = decodeProtectedHeader(body.token);
  assert.equal(header.alg, "EdDSA");

  const row = await t.db.selectFrom("access_tokens").selectAll().where("jti", "=", body.jti)
    .executeTakeFirstOrThrow();
  assert.equal(row.kid, header.kid);
  assert.equal(row.kind, "pos");
  assert.equal(row.principal_id, A.pos.id);
  assert.equal(row.org_id, A.org.id);
  assert.equal(row.label, "Till by the door");
  assert.equal(row.created_by, owner.id);
  assert.equal(row.expires_at.toISOString(), body.expiresAt);
  const signature = body.token.split(".")[2];
  assert.ok(
    !Object.values(row).some((v) => typeof v === "string" && v.includes(signature)),
    "the token is not stored",
  );
});

Deno.test("a site token names the organization and site only; ttlDays is honoured", async () => {
  const res = await asOwner("POST", `/sites/${A.site.id}/tokens`, { ttlDays: 30 });
  assert.equal(res.status, 201);
  const { token } = res.json;
  const claims = decodeJwt(token);
  assert.equal(claims.sub, `site:${A.site.id}`);
  assert.equal(claims.org, A.org.id);
  assert.equal(claims.site, A.site.id);
  assert.equal(claims.store, undefined);
  assert.equal(claims.pos, undefined);
  assert.equal(claims.exp! - claims.iat!, 30 * 86_400);
});

Deno.test("the list shows metadata and status; revocation is idempotent", async () => {
  const issue = async () =>
    (await asOwner("POST", `/sites/${B.site.id}/tokens`, { label: "kiosk" })).json.jti as string;
  const [active, revoked, expired] = [await issue(), await issue(), await issue()];
  await t.db.updateTable("access_tokens").set({ expires_at: new Date(Date.now() - 1000) })
    .where("jti", "=", expired).execute();

  const first = await asOwner("DELETE", `/tokens/${revoked}`);
  assert.equal(first.status, 204);
  const revokedAt = (await t.db.selectFrom("access_tokens").select("revoked_at")
    .where("jti", "=", revoked).executeTakeFirstOrThrow()).revoked_at;
  assert.ok(revokedAt);
  const again = await asOwner("DELETE", `/tokens/${revoked}`);
  assert.equal(again.status, 204, "revoking twice is fine");
  const after = await t.db.selectFrom("access_tokens").select("revoked_at")
    .where("jti", "=", revoked).executeTakeFirstOrThrow();
  assert.deepEqual(after.revoked_at, revokedAt, "the first revocation time is kept");

  const list = await asOwner("GET", `/tokens?principal=site:${B.site.id}`);
  assert.equal(list.status, 200);
  const { items } = list.json;
  const byJti = Object.fromEntries(
    items.map((i: { jti: string; status: string }) => [i.jti, i.status]),
  );
  assert.deepEqual(byJti, { [active]: "active", [revoked]: "revoked", [expired]: "expired" });
  const item = items.find((i: { jti: string }) => i.jti === revoked);
  assert.deepEqual(Object.keys(item).sort(), [
    "createdAt",
    "expiresAt",
    "jti",
    "kind",
    "label",
    "principalId",
    "revokedAt",
    "status",
  ]);
  assert.equal(item.kind, "site");
  assert.equal(item.principalId, B.site.id);
  assert.equal(item.label, "kiosk");
  assert.equal(item.revokedAt, revokedAt.toISOString());
  const none = await asOwner("GET", `/tokens?principal=pos:${B.pos.id}`);
  assert.deepEqual(none.json, { items: [] });
});

Deno.test("a disabled POS or site, or one under a disabled parent, gets no token (409)", async () => {
  const before = await countTokens(t);
  const cases: [string, string, string, string][] = [
    ["pos", A.pos.id, `/pos/${A.pos.id}/tokens`, "POS"],
    ["stores", A.store.id, `/pos/${A.pos.id}/tokens`, "store"],
    ["sites", A.site.id, `/pos/${A.pos.id}/tokens`, "site"],
    ["sites", A.site.id, `/sites/${A.site.id}/tokens`, "site"],
    ["organizations", A.org.id, `/sites/${A.site.id}/tokens`, "organization"],
  ];
  for (const [table, id, path, what] of cases) {
    const set = (status: "active" | "disabled") =>
      t.db.updateTable(table as "pos").set({ status }).where("id", "=", id).execute();
    await set("disabled");
    try {
      const res = await asOwner("POST", path, {});
      assert.equal(res.status, 409, `${path} with the ${what} disabled`);
      const problem = await problemOf(res);
      assert.equal(problem.type, "https://loyalty-edge.dev/problems/disabled");
      assert.equal(problem.title, `The ${what} is disabled`);
    } finally {
      await set("active");
    }
  }
  assert.equal(await countTokens(t), before, "nothing written");
});

Deno.test("roles: admins and the owner manage tokens; marketing and support 403; another organization 404", async () => {
  const callers: Record<string, ReturnType<typeof caller>> = { owner: asOwner };
  for (const role of ["admin", "marketing", "support"] as const) {
    await addMember(t, A.org.id, role, `a-${role}@example.com`);
    callers[role] = caller(t, await bearerFor(t, `a-${role}@example.com`));
  }
  await addMember(t, B.org.id, "admin", "b-admin@example.com");
  callers["other organization"] = caller(t, await bearerFor(t, "b-admin@example.com"));
  const expected: Record<string, number> = {
    owner: 0,
    admin: 0,
    marketing: 403,
    support: 403,
    "other organization": 404,
  };
  for (const [who, call] of Object.entries(callers)) {
    const refused = expected[who];
    const before = await countTokens(t);
    const target = (await asOwner("POST", `/pos/${A.pos.id}/tokens`, {})).json.jti;
    const answers = {
      "issue for a POS": [await call("POST", `/pos/${A.pos.id}/tokens`, {}), 201],
      "issue for a site": [await call("POST", `/sites/${A.site.id}/tokens`, {}), 201],
      "list": [await call("GET", `/tokens?principal=pos:${A.pos.id}`), 200],
      "revoke": [await call("DELETE", `/tokens/${target}`), 204],
    } as const;
    for (const [what, [res, ok]] of Object.entries(answers)) {
      assert.equal(res.status, refused || ok, `${who}: ${what}`);
      if (refused) assert.equal((await problemOf(res)).status, refused);
    }
    const revoked = await t.db.selectFrom("access_tokens").select("revoked_at")
      .where("jti", "=", target).executeTakeFirstOrThrow();
    assert.equal(revoked.revoked_at === null, refused !== 0, `${who}: revoked or not`);
    assert.equal(await countTokens(t), before + (refused ? 1 : 3), `${who}: tokens written`);
  }
});

Deno.test("bad input answers 422 naming the field and writes nothing; unknown ids 404", async () => {
  const before = await countTokens(t);
  const bodies: [unknown, string][] = [
    [{ ttlDays: 0 }, "ttlDays"],
    [{ ttlDays: 731 }, "ttlDays"],
    [{ ttlDays: "x" }, "ttlDays"],
    [{ ttlDays: 1.5 }, "ttlDays"],
    [{ label: "x".repeat(101) }, "label"],
    [{ label: "  " }, "label"],
    [{ label: 5 }, "label"],
    [{ scope: "admin" }, "scope"],
  ];
  for (const path of [`/pos/${A.pos.id}/tokens`, `/sites/${A.site.id}/tokens`]) {
    for (const [body, field] of bodies) {
      const res = await asOwner("POST", path, body);
      const what = `${path} ${JSON.stringify(body)}`;
      assert.equal(res.status, 422, what);
      const problem = await problemOf(res);
      assert.deepEqual(problem.errors.map((e: { field: string }) => e.field), [field], what);
    }
  }
  for (const query of ["", "?principal=", "?principal=pos:nope", `?principal=kiosk:${A.pos.id}`]) {
    const res = await asOwner("GET", `/tokens${query}`);
    assert.equal(res.status, 422, query);
    assert.deepEqual(
      (await problemOf(res)).errors.map((e: { field: string }) => e.field),
      ["principal"],
      query,
    );
  }
  const unknown = crypto.randomUUID();
  for (
    const [method, path] of [
      ["POST", `/pos/${unknown}/tokens`],
      ["POST", `/sites/${unknown}/tokens`],
      ["POST", "/pos/not-a-uuid/tokens"],
      ["GET", `/tokens?principal=site:${unknown}`],
      ["DELETE", `/tokens/${unknown}`],
      ["DELETE", "/tokens/not-a-uuid"],
    ]
  ) {
    const res = await asOwner(method, path, method === "POST" ? {} : undefined);
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.equal(await countTokens(t), before, "nothing written");
});

Deno.test("the OpenAPI document lists the token endpoints, the POS API and the posBearer scheme", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  for (
    const [path, method] of [
      [`${V1}/pos/{id}/tokens`, "post"],
      [`${V1}/sites/{id}/tokens`, "post"],
      [`${V1}/tokens`, "get"],
      [`${V1}/tokens/{jti}`, "delete"],
      ["/api/pos/v1/me", "get"],
      ["/.well-known/jwks.json", "get"],
    ]
  ) {
    assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  }
  assert.deepEqual(doc.paths["/api/pos/v1/me"].get.security, [{ posBearer: [] }]);
  assert.ok(doc.components.securitySchemes.posBearer);
  assert.ok(doc.components.schemas.NewDeviceToken);
});

Deno.test({ name: "close the shared app", fn: () => t.close() });

Deno.test("the verifier: a warm check costs no query; another instance's revocation shows after the TTL; evict at once", () =>
  withApp(async (t) => {
    const { owner: staff, pos } = await buildRegistry(t);
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    };
    let clock = Date.now();
    const verifier = new DeviceVerifier({
      db: t.db.withPlugin(counting),
      issuer: ORIGIN,
      now: () => clock,
    });
    const issue = (ttlDays = 1) =>
      issueDeviceToken({ db: t.db, issuer: ORIGIN }, { kind: "pos", pos }, {
        ttlDays,
        createdBy: staff,
      });
    const refusal = (p: Promise<unknown>) =>
      p.then(() => assert.fail("accepted"), (err) => err.extra?.detail as string);

    const a = await issue();
    assert.equal((await verifier.verify(a.token)).pos, pos.id);
    assert.equal(queries, 2, "cold: the keys and the token's record");
    await verifier.verify(a.token);
    assert.equal(queries, 2, "warm: no query");

    await t.db.updateTable("access_tokens").set({ revoked_at: new Date() })
      .where("jti", "=", a.jti).execute();
    clock += DEVICE_CACHE_TTL_MS - 1;
    await verifier.verify(a.token);
    assert.equal(queries, 2, "revoked elsewhere, still cached just before the TTL");
    clock += 1;
    assert.equal(await refusal(verifier.verify(a.token)), "token revoked");

    const b = await issue();
    await verifier.verify(b.token);
    const cold = queries;
    await t.db.updateTable("access_tokens").set({ revoked_at: new Date() })
      .where("jti", "=", b.jti).execute();
    verifier.evict(b.jti);
    const concurrent = await Promise.allSettled([1, 2, 3].map(() => verifier.verify(b.token)));
    assert.ok(concurrent.every((r) => r.status === "rejected"), "evicted: refused at once");
    assert.equal(queries, cold + 1, "concurrent cold checks share one lookup");

    const expired = await issue();
    clock = expired.expiresAt.getTime() + SKEW_MS - 1000;
    await verifier.verify(expired.token);
    clock += 2000;
    assert.equal(await refusal(verifier.verify(expired.token)), "token expired");

    // A key loaded during its grace is refused the moment the grace ends, between reloads.
    const c = await issue(7);
    await t.db.updateTable("signing_keys")
      .set({ verify_until: new Date(clock + DEVICE_CACHE_TTL_MS + 2000) }).execute();
    clock += DEVICE_CACHE_TTL_MS;
    await verifier.verify(c.token);
    clock += 2000;
    assert.equal(await refusal(verifier.verify(c.token)), "unknown key id");

    const down = new DeviceVerifier({
      db: t.db.withPlugin({
        transformQuery: () => {
          throw new Error("database down");
        },
        transformResult: (args) => Promise.resolve(args.result),
      }),
      issuer: ORIGIN,
    });
    await assert.rejects(down.verify(c.token), /database down/, "an outage is not a 401");
  }));
