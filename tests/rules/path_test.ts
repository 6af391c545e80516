import assert from "node:assert/strict";
import { isPlainPath, pathResolver } from "../../rules/path.ts";

Deno.test("pathResolver walks plain own property names only", () => {
  const v = { a: { b: 1, c: null } };
  assert.equal(pathResolver(v, "$.a.b"), 1);
  assert.equal(pathResolver(v, "a.b"), 1);
  assert.equal(pathResolver(v, "a.c"), null);
  assert.equal(pathResolver(v, "a.missing.deeper"), undefined);
  // Inherited properties are not reachable.
  assert.equal(pathResolver(v, "a.toString"), undefined);
  assert.equal(pathResolver(v, "hasOwnProperty"), undefined);
});

Deno.test("pathResolver never runs a jsonpath expression", () => {
  let called = false;
  const v = { a: [{ b: 1 }], f: () => (called = true) };
  for (const p of ["$..b", "$.a[0].b", "$.a[?(@.b==1)]", "$.f()", "$.*", "$['a']", "a.__proto__"]) {
    assert.equal(isPlainPath(p), false, p);
    assert.throws(() => pathResolver(v, p), /rejected fact path/);
  }
  assert.equal(called, false);
});
