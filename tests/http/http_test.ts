import assert from "node:assert/strict";
import {
  addOwner,
  adminCall,
  bearerFor,
  createTestApp,
  ORIGIN,
  problemOf,
  type TestApp,
} from "../helpers/app.ts";
import { buildWorld, publishRules } from "../helpers/world.ts";
import { onePointPerUnit } from "../../rules/examples.ts";

const t: TestApp = await createTestApp();
await addOwner(t);
const token = await bearerFor(t, "owner@example.com");
const auth = { Authorization: `Bearer ${token}` };

interface Operation {
  requestBody?: unknown;
  parameters?: { name: string; in: string; schema?: { enum?: string[] } }[];
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
}
const doc: Doc = await (await t.request("/openapi.json")).json();
// The staff API here; the POS API's bad input is tested with device tokens in
// programme/pos_programme_test.ts.
const withBody = Object.entries(doc.paths).filter(([path]) => !path.startsWith("/api/pos/"))
  .flatMap(([path, ops]) =>
    Object.entries(ops).filter(([, op]) => op.requestBody).map(([method, op]) => ({
      // A well-formed path to nothing: an id of nothing, a word a path allows (a move) as such.
      path: path.replace(/\{(\w+)\}/g, (_, name) => {
        const param = op.parameters?.find((p) => p.in === "path" && p.name === name);
        return param?.schema?.enum?.[0] ?? crypto.randomUUID();
      }),
      method,
    }))
  );

Deno.test("every JSON endpoint answers bad input with a 4xx problem and writes nothing", async () => {
  assert.ok(withBody.length >= 2, "the document lists the JSON endpoints");
  const staffBefore = await t.db.selectFrom("staff_users").select("id").execute();
  const bodies: Record<string, { body: BodyInit; type?: string; status: number }> = {
    "malformed JSON": { body: '{"email": ', status: 400 },
    "a JSON array": { body: "[1, 2]", status: 422 },
    "null": { body: "null", status: 422 },
    "wrong types": {
      body: JSON.stringify({ email: 5, password: false, name: [], role: 1 }),
      status: 422,
    },
    "oversize body": { body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }), status: 413 },
    "not JSON at all": { body: "email=a", type: "application/x-www-form-urlencoded", status: 415 },
  };
  for (const { path, method } of withBody) {
    for (const [name, c] of Object.entries(bodies)) {
      // The body is what is under test, not the path.
      const res = await t.request(path, {
        method: method.toUpperCase(),
        headers: { "Content-Type": c.type ?? "application/json", Origin: ORIGIN, ...auth },
        body: c.body,
      });
      const where = `${method} ${path}: ${name}`;
      assert.equal(res.status, c.status, where);
      const problem = await problemOf(res);
      assert.equal(problem.status, c.status, where);
      assert.ok(problem.title, where);
      if (c.status === 422) assert.ok(problem.errors.length > 0 && problem.errors[0].field, where);
    }
  }
  const staffAfter = await t.db.selectFrom("staff_users").select("id").execute();
  assert.equal(staffAfter.length, staffBefore.length);
});

Deno.test("the sign-in and setup forms answer bad input with 4xx, never 5xx", async () => {
  const cases: { type: string; body: BodyInit }[] = [
    { type: "application/x-www-form-urlencoded", body: "" },
    { type: "application/x-www-form-urlencoded", body: "email=%ZZ&password" },
    { type: "application/x-www-form-urlencoded", body: "email=" + "a".repeat(2 * 1024 * 1024) },
    { type: "application/json", body: "{" },
    { type: "multipart/form-data; boundary=x", body: "--x\r\nbroken" },
  ];
  for (const path of ["/login", "/setup"]) {
    for (const c of cases) {
      const res = await t.request(path, {
        method: "POST",
        headers: { "Content-Type": c.type, Origin: ORIGIN },
        body: c.body,
      });
      assert.ok(res.status >= 400 && res.status < 500, `${path} ${c.type}: ${res.status}`);
      await res.body?.cancel();
    }
  }
});

Deno.test("validation errors name each field at fault", async () => {
  const org = (await adminCall(t, token, "POST", "/organizations", { name: "Acme" })).json;
  const res = await t.request(`/api/admin/v1/organizations/${org.id}/staff`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...auth },
    body: JSON.stringify({ email: "not-an-email", name: "", role: "owner", extra: 1 }),
  });
  assert.equal(res.status, 422);
  const problem = await problemOf(res);
  const fields = problem.errors.map((e: { field: string }) => e.field).sort();
  assert.deepEqual(fields, ["email", "extra", "name", "role"]);
  assert.equal(problem.type, "https://loyalty-edge.dev/problems/validation");
});

Deno.test("unknown API paths get problem+json 404; unknown pages get an HTML 404 page", async () => {
  const api = await t.request("/api/admin/v1/nothing-here", { headers: auth });
  assert.equal(api.status, 404);
  assert.equal((await problemOf(api)).type, "https://loyalty-edge.dev/problems/not-found");
  const page = await t.request("/nothing-here", { headers: { Accept: "text/html" } });
  assert.equal(page.status, 404);
  assert.match(page.headers.get("Content-Type")!, /text\/html/);
  assert.match(await page.text(), /Page not found/);
  const asset = await t.request("/assets/../deno.json");
  assert.equal(asset.status, 404);
  await asset.body?.cancel();
});

Deno.test("healthz checks the database", async () => {
  const res = await t.request("/healthz");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.database.kind, t.database.kind);
  assert.equal(body.database.ok, true);
});

Deno.test("every response carries a request id and security headers", async () => {
  const res = await t.request("/login");
  assert.match(res.headers.get("X-Request-Id") ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
  assert.equal(res.headers.get("X-Frame-Options"), "SAMEORIGIN");
  assert.match(res.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
  await res.body?.cancel();
});

Deno.test("the OpenAPI 3.1 document describes the routes, their schemas and problem answers", async () => {
  const full = await (await t.request("/openapi.json")).json();
  assert.equal(full.openapi, "3.1.0");
  for (
    const p of ["/healthz", "/api/auth/token", "/api/admin/v1/me", "/api/admin/v1/organizations"]
  ) {
    assert.ok(full.paths[p], p);
  }
  const tokenOp = full.paths["/api/auth/token"].post;
  assert.ok(tokenOp.requestBody.content["application/json"].schema);
  assert.ok(tokenOp.responses["422"].content["application/problem+json"]);
  assert.ok(full.components.schemas.Problem);
  assert.ok(full.components.securitySchemes.staffBearer);
});

Deno.test("the API reference page is served from our origin with no script", async () => {
  const res = await t.request("/docs/api");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /\/api\/auth\/token/);
  assert.doesNotMatch(html, /<script/);
  assert.doesNotMatch(html, /https?:\/\/(?!loyalty-edge\.dev)[a-z]/i, "no third-party URL");
});

Deno.test("a page without islands ships no script; the console ships only its island", async () => {
  const login = await (await t.request("/login")).text();
  assert.doesNotMatch(login, /<script/);
  const form = await t.request("/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
    body: new URLSearchParams({ email: "owner@example.com", password: "correct horse battery" }),
  });
  const cookie = form.headers.getSetCookie()[0].split(";")[0];
  const overview = async () =>
    await (await t.request("/console", { headers: { Cookie: cookie } })).text();
  assert.doesNotMatch(await overview(), /<script/, "no programme yet: no chart to run");
  const w = await buildWorld(t, { name: "Scripts" });
  await publishRules(t, w, [onePointPerUnit]);
  const console = await overview();
  const scripts = console.match(/<script[^>]*>/g) ?? [];
  assert.deepEqual(scripts, ['<script type="module" src="/assets/ChartHover-test.js">']);
  assert.match(console, /data-island="ChartHover"/);
  assert.match(console, /<svg width="900" height="200"/, "the chart is drawn on the server");
});

Deno.test({
  name: "close the test app",
  fn: () => t.close(),
});
