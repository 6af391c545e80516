/** Two POS of one store may not share a name: refused by the API, also when sent at once. */
import assert from "node:assert/strict";
import { adminCall, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";
import { buildRegistry } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildRegistry(t, { name: "Acme", site: "North", morePos: [2] });
const owner = A.ownerToken;
const posOf = (storeId: string) =>
  t.db.selectFrom("pos").select(["name", "number"]).where("store_id", "=", storeId)
    .orderBy("number").execute();

Deno.test("a POS named like another of its store (any case) is a 409 on name; nothing written", async () => {
  const before = await posOf(A.store.id);
  const answer = await adminCall(t, owner, "POST", `/stores/${A.store.id}/pos`, {
    number: 7,
    name: "  till 1 ",
  });
  assert.equal(answer.status, 409);
  const problem = await problemOf(answer);
  assert.equal(problem.type.endsWith("duplicate-name"), true, problem.type);
  assert.deepEqual(problem.errors.map((e: { field: string }) => e.field), ["name"]);
  assert.deepEqual(await posOf(A.store.id), before);
});

Deno.test("renaming a POS to another's name is a 409; to its own name in another case is not", async () => {
  const second = await t.db.selectFrom("pos").selectAll().where("store_id", "=", A.store.id)
    .where("number", "=", 2).executeTakeFirstOrThrow();
  const refused = await adminCall(t, owner, "PATCH", `/pos/${second.id}`, { name: "TILL 1" });
  assert.equal(refused.status, 409);
  assert.equal((await problemOf(refused)).errors[0].field, "name");
  const own = await adminCall(t, owner, "PATCH", `/pos/${second.id}`, { name: "till 2" });
  assert.equal(own.status, 200, JSON.stringify(own.json));
});

Deno.test("another store may have a POS of the same name", async () => {
  const other = await adminCall(t, owner, "POST", `/sites/${A.site.id}/stores`, {
    number: 50,
    name: "Harbour",
    timezone: "Europe/Paris",
  });
  const pos = await adminCall(t, owner, "POST", `/stores/${other.json.id}/pos`, {
    number: 1,
    name: "Till 1",
  });
  assert.equal(pos.status, 201, JSON.stringify(pos.json));
});

Deno.test("six creations of one name at once in one store: one is created, five are refused", async () => {
  const answers = await Promise.all(
    [11, 12, 13, 14, 15, 16].map((number) =>
      adminCall(t, owner, "POST", `/stores/${A.store.id}/pos`, { number, name: "Back office" })
    ),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409, 409]);
  const named = (await posOf(A.store.id)).filter((p) => p.name === "Back office");
  assert.equal(named.length, 1);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
