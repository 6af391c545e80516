/**
 * Rule sets through the admin API: the draft with optimistic concurrency and validation,
 * publish, versions and restore, the audit trail, roles and tenants.
 */
import assert from "node:assert/strict";
import { bigBasketBonus, giftCardTender, onePointPerUnit } from "../../rules/examples.ts";
import { adminCall, createTestApp } from "../helpers/app.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, {
  name: "Rules A",
  staff: { marketing: "marketing", support: "support" },
  moreStores: [{ number: 7, name: "Depot" }],
});
const other = await buildWorld(t, { name: "Rules B" });
const marketing = w.staff.marketing.token;
const support = w.staff.support.token;

const rules = (g = w.group) => `/merchant-groups/${g.id}/rules`;
const call = (method: string, path: string, body?: unknown, token = w.ownerToken) =>
  adminCall(t, token, method, path, body);
const audit = async (action?: string) => {
  let q = t.db.selectFrom("audit_log").selectAll().where("entity", "=", "rule-set")
    .where("entity_id", "=", w.group.id).orderBy("at");
  if (action) q = q.where("action", "=", action);
  return await q.execute();
};

Deno.test("a new programme has the empty draft at version 1 and nothing published", async () => {
  const res = await call("GET", rules(other.group));
  assert.equal(res.status, 200);
  assert.equal(res.json.draft.version, 1);
  assert.deepEqual(res.json.draft.rules, []);
  assert.equal(res.json.draft.updatedBy, null);
  assert.equal(res.json.published, null);
  assert.deepEqual((await call("GET", `${rules(other.group)}/versions`)).json, {
    items: [],
    nextCursor: null,
  });
});

Deno.test("save, publish, versions, restore: the whole life of a rule set", async () => {
  const saved = await call("PUT", `${rules()}/draft`, { version: 1, rules: [onePointPerUnit] });
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.equal(saved.json.version, 2);
  assert.deepEqual(saved.json.rules, [onePointPerUnit]);
  assert.equal(saved.json.updatedBy, w.owner.email);

  const first = await call("POST", `${rules()}/publish`, { draftVersion: 2 });
  assert.equal(first.status, 201);
  assert.equal(first.json.version, 1);
  assert.equal(first.json.draftVersion, 2);

  const second = [onePointPerUnit, giftCardTender];
  assert.equal((await call("PUT", `${rules()}/draft`, { version: 2, rules: second })).status, 200);
  const state = (await call("GET", rules())).json;
  assert.equal(state.draft.version, 3);
  assert.equal(state.published.version, 1, "the draft is not published by saving it");
  assert.equal(state.published.draftVersion, 2, "so the UI can tell the draft has changes");

  assert.equal((await call("POST", `${rules()}/publish`, { draftVersion: 3 })).json.version, 2);
  const list = (await call("GET", `${rules()}/versions`)).json;
  assert.deepEqual(list.items.map((v: { version: number }) => v.version), [2, 1]);
  assert.deepEqual(list.items.map((v: { ruleCount: number }) => v.ruleCount), [2, 1]);
  const page = (await call("GET", `${rules()}/versions?limit=1`)).json;
  assert.equal(page.items[0].version, 2);
  const next = (await call("GET", `${rules()}/versions?limit=1&cursor=${page.nextCursor}`)).json;
  assert.deepEqual([next.items[0].version, next.nextCursor], [1, null]);

  const v1 = await call("GET", `${rules()}/versions/1`);
  assert.equal(v1.status, 200);
  assert.deepEqual(v1.json.rules, [onePointPerUnit], "kept as it was published");
  assert.equal(v1.json.publishedBy, w.owner.email);

  const restored = await call("POST", `${rules()}/versions/1/restore`);
  assert.equal(restored.status, 200);
  assert.equal(restored.json.version, 4);
  assert.deepEqual(restored.json.rules, [onePointPerUnit]);
  assert.equal(
    (await call("GET", rules())).json.published.version,
    2,
    "restoring publishes nothing",
  );
  assert.equal((await call("POST", `${rules()}/publish`, { draftVersion: 4 })).json.version, 3);
  assert.deepEqual((await call("GET", `${rules()}/versions/3`)).json.rules, [onePointPerUnit]);

  assert.equal((await call("GET", `${rules()}/versions/9`)).status, 404);
  assert.equal((await call("POST", `${rules()}/versions/9/restore`)).status, 404);
  assert.equal((await call("GET", `${rules()}/versions/x`)).status, 404);
});

Deno.test("every save, publish and restore is audited with a readable diff", async () => {
  const saves = await audit("save-draft");
  assert.ok(saves.length >= 2);
  const diff = saves[1].diff as { path: string; before: unknown; after: unknown }[];
  assert.ok(diff.some((d) => d.path === "draftVersion" && d.before === 2 && d.after === 3));
  const added = diff.find((d) => d.path === `rules.${giftCardTender.id}`);
  assert.deepEqual([added?.before, (added?.after as { name: string }).name], [
    null,
    giftCardTender.name,
  ]);
  const publishes = await audit("publish");
  assert.ok(publishes.length >= 3);
  const firstPublish = publishes[0].diff as { path: string }[];
  assert.ok(firstPublish.some((d) => d.path === `rules.${onePointPerUnit.id}`));
  const restores = await audit("restore");
  assert.equal(restores.length, 1);
  assert.equal((restores[0].after as { restoredFrom: number }).restoredFrom, 1);
  assert.equal(restores[0].actor_label, w.owner.email);
});

Deno.test("a save based on an old draft version is a 409 carrying the current draft", async () => {
  const current = (await call("GET", rules())).json.draft;
  const before = (await audit()).length;
  const stale = await call("PUT", `${rules()}/draft`, {
    version: current.version - 1,
    rules: [bigBasketBonus],
  });
  assert.equal(stale.status, 409);
  assert.ok(stale.type.startsWith("application/problem+json"));
  assert.ok(stale.json.type.endsWith("/stale-version"));
  assert.equal(stale.json.version, current.version);
  assert.deepEqual(stale.json.rules, current.rules);
  assert.deepEqual(stale.json.draft, current);
  const publish = await call("POST", `${rules()}/publish`, { draftVersion: current.version + 5 });
  assert.equal(publish.status, 409);
  assert.equal(publish.json.draft.version, current.version);
  assert.equal((await audit()).length, before, "nothing written");
});

Deno.test("two saves of one draft version at once: one wins, the other is stale", async () => {
  const { version } = (await call("GET", rules())).json.draft;
  const results = await Promise.all([
    call("PUT", `${rules()}/draft`, { version, rules: [bigBasketBonus] }),
    call("PUT", `${rules()}/draft`, { version, rules: [giftCardTender] }),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  assert.equal((await call("GET", rules())).json.draft.version, version + 1);
});

Deno.test("a save that changes nothing keeps the version and writes no audit entry", async () => {
  const { version, rules: current } = (await call("GET", rules())).json.draft;
  const before = (await audit()).length;
  const same = await call("PUT", `${rules()}/draft`, { version, rules: current });
  assert.deepEqual([same.status, same.json.version], [200, version]);
  assert.equal((await audit()).length, before);
});

Deno.test("invalid rules are a 422 naming rules/<index>/<field>, and nothing is saved", async () => {
  const { version } = (await call("GET", rules())).json.draft;
  const badValue = {
    ...onePointPerUnit,
    id: "bad-day",
    conditions: { all: [{ fact: "dayOfWeek", operator: "equal", value: 9 }] },
  };
  const res = await call("PUT", `${rules()}/draft`, {
    version,
    rules: [onePointPerUnit, giftCardTender, badValue, { ...onePointPerUnit, priority: "high" }],
  });
  assert.equal(res.status, 422);
  assert.ok(res.json.type.endsWith("/validation"));
  const fields = res.json.errors.map((e: { field: string }) => e.field);
  assert.ok(fields.includes("rules/2/conditions/all/0/value"), fields.join(", "));
  assert.ok(fields.includes("rules/3/priority"), fields.join(", "));
  assert.ok(fields.includes("rules/3/id"), "a duplicate id names the second rule");

  for (
    const [body, field] of [
      [{ version, rules: "nope" }, "rules"],
      [{ version, rules: [{ ...onePointPerUnit, __proto__: null, extra: 1 }] }, "rules/0"],
      [
        { version, rules: [{ ...onePointPerUnit, event: { type: "bonus" } }] },
        "rules/0/event/type",
      ],
      [{ version: "2", rules: [] }, "version"],
    ] as const
  ) {
    const bad = await call("PUT", `${rules()}/draft`, body);
    assert.equal(bad.status, 422, JSON.stringify(body));
    assert.ok(
      bad.json.errors.some((e: { field: string }) => e.field === field),
      `${field}: ${JSON.stringify(bad.json.errors)}`,
    );
  }
  assert.equal((await call("GET", rules())).json.draft.version, version);
});

Deno.test("roles: support reads and simulates, marketing edits and publishes", async () => {
  assert.equal((await call("GET", rules(), undefined, support)).status, 200);
  const { version } = (await call("GET", rules(), undefined, support)).json.draft;
  const denied = await call("PUT", `${rules()}/draft`, { version, rules: [] }, support);
  assert.equal(denied.status, 403);
  assert.equal(
    (await call("POST", `${rules()}/publish`, { draftVersion: version }, support)).status,
    403,
  );
  assert.equal(
    (await call("POST", `${rules()}/versions/1/restore`, undefined, support)).status,
    403,
  );
  const saved = await call("PUT", `${rules()}/draft`, { version, rules: [] }, marketing);
  assert.equal(saved.status, 200);
  const published = await call("POST", `${rules()}/publish`, {
    draftVersion: saved.json.version,
  }, marketing);
  assert.equal(published.status, 201);
  assert.equal(published.json.ruleCount, 0, "an empty rule set can be published: nothing earns");
});

Deno.test("another organization's rule set is a 404 to this organization's staff", async () => {
  for (
    const [method, path, body] of [
      ["GET", rules(other.group)],
      ["PUT", `${rules(other.group)}/draft`, { version: 1, rules: [] }],
      ["POST", `${rules(other.group)}/publish`, { draftVersion: 1 }],
      ["GET", `${rules(other.group)}/versions`],
      ["GET", `${rules(other.group)}/versions/1`],
      ["POST", `${rules(other.group)}/versions/1/restore`],
    ] as const
  ) {
    const res = await call(method, path, body, marketing);
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.equal((await call("GET", rules(other.group))).json.draft.version, 1, "untouched");
});

Deno.test("the catalogue gives the editor every fact, operator and event", async () => {
  const res = await call("GET", "/rules/catalogue", undefined, support);
  assert.equal(res.status, 200);
  const day = res.json.facts.find((f: { name: string }) => f.name === "dayOfWeek");
  assert.equal(day.label, "Day of week");
  assert.equal(day.kind, "weekday");
  assert.ok(day.operators.includes("greaterThan"));
  const member = res.json.facts.find((f: { name: string }) => f.name === "member");
  assert.deepEqual(member.operators, ["equal", "notEqual", "in", "notIn"]);
  const tender = res.json.facts.find((f: { name: string }) => f.name === "tenderAmount");
  assert.deepEqual(tender.params.required, ["types"]);
  assert.deepEqual(
    res.json.events.map((e: { type: string }) => e.type),
    [
      "basic-points",
      "item-points",
      "basket-points",
      "tender-points",
      "multiplier",
      "staff-discount",
    ],
  );
  const basket = res.json.events.find((e: { type: string }) => e.type === "basket-points");
  assert.ok(basket.params.properties.minTotal.description);
  assert.deepEqual(res.json.roundings.map((r: { value: string }) => r.value), [
    "none",
    "up",
    "down",
    "nearest",
  ]);
  assert.equal((await adminCall(t, null, "GET", "/rules/catalogue")).status, 401);
});

Deno.test("the vocabulary gives the editor this programme's values", async () => {
  const res = await call("GET", `${rules()}/vocabulary`, undefined, support);
  assert.equal(res.status, 200);
  assert.equal(res.json.categoryNames.length, 5);
  assert.deepEqual(res.json.stores, [{
    number: w.store.number,
    name: w.store.name,
    timezone: w.store.timezone,
  }]);
  assert.deepEqual(res.json.itemCategories, []);
  assert.deepEqual(res.json.unlistedStores, [{
    number: 7,
    name: "Depot",
    reason: "no-merchant",
    merchants: [],
  }], "a registered store of no merchant is said to be missing, and why");

  // Codes in use, per category; a store whose merchant is in another group.
  for (const [n, categories] of [["V1", ["GOLD", "YES"]], ["V2", ["MEMBER"]]] as const) {
    const made = await call("POST", `/merchant-groups/${w.group.id}/customers`, {
      number: n,
      name: n,
      categories,
    });
    assert.equal(made.status, 201, JSON.stringify(made.json));
  }
  const depot = w.stores.find((s) => s.number === 7)!;
  const elsewhere = await call("POST", "/merchants", {
    organizationId: w.org.id,
    name: "Depot shop",
    storeIds: [depot.id],
  });
  assert.equal(elsewhere.status, 201, JSON.stringify(elsewhere.json));
  const again = (await call("GET", `${rules()}/vocabulary`, undefined, support)).json;
  assert.deepEqual(again.categoryCodes, [["GOLD", "MEMBER"], ["YES"], [], [], []]);
  assert.deepEqual(again.unlistedStores, [{
    number: 7,
    name: "Depot",
    reason: "merchant-without-group",
    merchants: ["Depot shop"],
  }]);
  const outlet = await call("POST", "/merchant-groups", {
    organizationId: w.org.id,
    name: "Outlet programme",
  });
  const joined = await call("POST", `/merchant-groups/${outlet.json.id}/merchants`, {
    merchantId: elsewhere.json.id,
  });
  assert.ok(joined.status < 300, JSON.stringify(joined.json));
  assert.equal(
    (await call("GET", `${rules()}/vocabulary`, undefined, support)).json.unlistedStores[0].reason,
    "other-group",
  );
  assert.equal(
    (await call("GET", `${rules(other.group)}/vocabulary`, undefined, support)).status,
    404,
  );
});

Deno.test("close", () => t.close());
