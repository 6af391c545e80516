/**
 * The body guard (http/body_guard.ts): before any route, a body nested deeper than 32 levels,
 * an array of more than 10,000 items, a NUL or a lone surrogate is a 422 naming the field; a
 * form that cannot be parsed is a 400; and nothing is written. A body thousands of levels deep
 * was a 500 (the NUL check recursed until the stack overflowed).
 */
import assert from "node:assert/strict";
import { bodyFaults, MAX_ARRAY_LENGTH, MAX_BODY_DEPTH } from "../../http/body_guard.ts";
import { createTestApp, ORIGIN, problemOf, signIn } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, { name: "Guard" });
const session = await signIn(t, w.owner.email);

const nested = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

/** A JSON route of each kind: the POS API, the admin API, a console form, sign-in. */
const routes: [string, Record<string, string>][] = [
  ["/api/pos/v1/customers", { Authorization: `Bearer ${w.posToken}`, "Idempotency-Key": "g-1" }],
  [`/api/admin/v1/merchant-groups/${w.group.id}/customers`, {
    Authorization: `Bearer ${w.ownerToken}`,
  }],
  ["/console/customers", { Cookie: session.cookie, "X-CSRF-Token": session.csrf }],
  ["/login", {}],
];

const post = (path: string, headers: Record<string, string>, body: string, type?: string) =>
  t.request(path, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": type ?? "application/json", ...headers },
    body,
  });

const customers = async () =>
  Number(
    (await t.db.selectFrom("customers").select((e) => e.fn.countAll().as("n"))
      .executeTakeFirstOrThrow()).n,
  );

Deno.test(`a body 5,000 levels deep is a 422 on every kind of route, not a 500 (${testBackend})`, async () => {
  const before = await customers();
  for (const [path, headers] of routes) {
    for (const body of [nested(5_000), "[".repeat(100_000) + "]".repeat(100_000)]) {
      const res = await post(path, headers, body);
      assert.equal(res.status, 422, path);
      const problem = await problemOf(res);
      assert.equal(problem.errors.length, 1);
      assert.match(problem.errors[0].message, /nested deeper than 32 levels/);
      // The path names the container past the limit: 32 steps from the body.
      assert.equal(problem.errors[0].field.split(".").length, MAX_BODY_DEPTH);
    }
  }
  assert.equal(await customers(), before, "nothing written");
});

Deno.test(`32 levels pass the guard and reach the route's validation; 33 do not (${testBackend})`, async () => {
  const [path, headers] = routes[0];
  const at = (n: number) =>
    post(
      path,
      headers,
      JSON.stringify({ name: "Deep", categories: ["GOLD"], x: "" }).replace(
        '""',
        nested(n - 1),
      ),
    );
  const ok = await problemOf(await at(MAX_BODY_DEPTH));
  assert.deepEqual(ok.errors.map((e: { field: string }) => e.field), ["x"]);
  assert.match(ok.errors[0].message, /not a field/, "the route's schema answered");
  const deep = await problemOf(await at(MAX_BODY_DEPTH + 1));
  assert.match(deep.errors[0].message, /nested deeper/);
});

Deno.test(`an array over 10,000 items is a 422 naming it; 10,000 reach the route (${testBackend})`, async () => {
  const [path, headers] = routes[1];
  const body = (n: number) => JSON.stringify({ name: "Many", categories: Array(n).fill("GOLD") });
  const over = await problemOf(await post(path, headers, body(MAX_ARRAY_LENGTH + 1)));
  assert.deepEqual(over.errors, [{ field: "categories", message: "at most 10000 items" }]);
  const at = await problemOf(await post(path, headers, body(MAX_ARRAY_LENGTH)));
  // The route's schema answered.
  assert.deepEqual(at.errors, [{ field: "categories", message: "at most 5 categories" }]);
});

Deno.test(`NUL and lone surrogates, in values and keys, are 422s naming the field (${testBackend})`, async () => {
  const [path, headers] = routes[0];
  const res = await post(
    path,
    headers,
    '{"name":"a\\ud800","categories":["G\\u0000"],"k\\u0000":1,"x":{"\\udfff":1}}',
  );
  assert.deepEqual((await problemOf(res)).errors, [
    { field: "name", message: "must be valid Unicode (a lone surrogate)" },
    { field: "categories.0", message: "must not contain NUL" },
    { field: "k\u0000", message: "must not contain NUL" },
    { field: "x.\udfff", message: "must be valid Unicode (a lone surrogate)" },
  ]);
});

Deno.test(`a form that cannot be parsed is a 400, a JSON route sent no JSON a 415 (${testBackend})`, async () => {
  for (const [path, headers] of routes) {
    for (const type of ["multipart/form-data", "multipart/form-data; boundary=x"]) {
      const res = await post(path, headers, "--y\r\nnot a form", type);
      assert.equal(res.status, 400, `${path} ${type}`);
      assert.equal((await problemOf(res)).type, "https://loyalty-edge.dev/problems/malformed-form");
    }
  }
  const [path, headers] = routes[0];
  for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
    const res = await post(path, headers, "{}", type);
    assert.equal(res.status, 415);
    assert.equal(
      (await problemOf(res)).type,
      "https://loyalty-edge.dev/problems/unsupported-media-type",
    );
  }
  const malformed = await post(path, headers, "{");
  assert.equal(malformed.status, 400);
  assert.equal(
    (await problemOf(malformed)).type,
    "https://loyalty-edge.dev/problems/malformed-json",
  );
});

Deno.test("bodyFaults walks a million levels without recursion, and stops at 50 faults", () => {
  let deep: unknown = "\u0000";
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.deepEqual(bodyFaults(deep), [{
    field: Array(MAX_BODY_DEPTH).fill("0").join("."),
    message: "nested deeper than 32 levels",
  }]);
  assert.equal(bodyFaults(Array(1_000).fill("\u0000")).length, 50);
});

Deno.test("body guard: close", async () => {
  await t.close();
});
