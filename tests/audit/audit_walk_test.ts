/**
 * The audit walk: every mutating operation of the admin API, read from the OpenAPI document the
 * app serves, is called once with a valid request and must leave exactly one audit entry. The
 * table below says how to call each one (setup through the services, then the path and body);
 * an operation of the document that the table does not name fails the test, as does an entry
 * the document no longer has. A read-only action is excluded by name, with its reason. POS
 * operations (/api/pos/) are not walked: sales, returns and card moves are recorded by the
 * ledger and the instruments' history, not duplicated into the audit log.
 */
import assert from "node:assert/strict";
import { getDraft, publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { backgroundSettled } from "../../instruments/generation.ts";
import { createMerchant } from "../../programme/merchants.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createPos } from "../../registry/pos.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { issueDeviceToken } from "../../tokens/device_tokens.ts";
import { addMember, adminCall, createTestApp, ORIGIN, type TestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { makeCard, makeSeries } from "../helpers/instruments.ts";
import { buildWorld, memberRule, type World } from "../helpers/world.ts";

/** One valid request of an operation: its path under /api/admin/v1, body and headers. */
interface Call {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Waits for what the call started in the background, from its answer. */
  settled?: (answer: unknown) => Promise<void>;
}

/** How to make the call, after whatever setup it needs; or why the operation is not walked. */
type Walk = ((t: TestApp, w: World) => Promise<Call>) | { excluded: string };

let n = 0;
/** A number, name or email not used before in this run. */
const fresh = () => ++n;

/** A draft wholesale order of the world's member at its store, priced from a catalogue item. */
async function wholesaleOrder(t: TestApp, w: World): Promise<{ id: string; version: number }> {
  const group = `/merchant-groups/${w.group.id}`;
  await adminCall(t, w.ownerToken, "PUT", `${group}/items`, {
    items: [{
      sku: "CASE",
      name: "Case of tea",
      category: "DRINKS",
      prices: [900, 800, 700, 600, 500],
    }],
  });
  const order = await adminCall(t, w.ownerToken, "POST", `${group}/wholesale-orders`, {
    customerNumber: w.member!.customer.number,
    location: w.store.number,
    currency: "EUR",
    lines: [{ sku: "CASE", quantity: 2 }],
  });
  assert.equal(order.status, 201, JSON.stringify(order.json));
  return order.json;
}

const EMAIL_TEMPLATE = {
  subject: "Welcome, {{name}}",
  text: "Your number is {{customerNumber}}.",
  html: "<p>Your number is {{customerNumber}}.</p>",
};

const basicRule = memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } });

/** Keyed "METHOD /path" as the OpenAPI document names the operation, without /api/admin/v1. */
const WALK: Record<string, Walk> = {
  "POST /organizations": () => Promise.resolve({ path: "/organizations", body: { name: "New" } }),
  "PATCH /organizations/{id}": (_, w) =>
    Promise.resolve({ path: `/organizations/${w.org.id}`, body: { name: `Renamed ${fresh()}` } }),
  "DELETE /organizations/{id}": async (t, w) => {
    const org = await createOrganization(t.db, `Empty ${fresh()}`, w.owner);
    return { path: `/organizations/${org.id}` };
  },
  "POST /organizations/{id}/sites": (_, w) =>
    Promise.resolve({ path: `/organizations/${w.org.id}/sites`, body: { name: "East" } }),
  "PATCH /sites/{id}": (_, w) =>
    Promise.resolve({ path: `/sites/${w.site.id}`, body: { name: `Site ${fresh()}` } }),
  "DELETE /sites/{id}": async (t, w) => {
    const site = await createSite(t.db, w.org.id, `Doomed ${fresh()}`, w.owner);
    return { path: `/sites/${site.id}` };
  },
  "POST /sites/{id}/stores": (_, w) =>
    Promise.resolve({
      path: `/sites/${w.site.id}/stores`,
      body: { number: 100 + fresh(), name: "Gare", timezone: "Europe/Paris" },
    }),
  "PATCH /stores/{id}": (_, w) =>
    Promise.resolve({ path: `/stores/${w.store.id}`, body: { address: "1 rue de la Paix" } }),
  "DELETE /stores/{id}": async (t, w) => {
    const number = 100 + fresh();
    const store = await createStore(t.db, w.site, {
      number,
      name: `Doomed ${number}`,
      timezone: "UTC",
    }, w.owner);
    return { path: `/stores/${store.id}` };
  },
  "POST /stores/{id}/pos": (_, w) =>
    Promise.resolve({
      path: `/stores/${w.store.id}/pos`,
      body: { number: 100 + fresh(), name: "Back office" },
    }),
  "PATCH /pos/{id}": (_, w) =>
    Promise.resolve({ path: `/pos/${w.pos.id}`, body: { name: `Till ${fresh()}` } }),
  "DELETE /pos/{id}": async (t, w) => {
    const pos = await createPos(t.db, w.store, { number: 100 + fresh(), name: "Spare" }, w.owner);
    return { path: `/pos/${pos.id}` };
  },
  "POST /pos/{id}/tokens": (_, w) =>
    Promise.resolve({ path: `/pos/${w.pos.id}/tokens`, body: { label: "Till 1" } }),
  "POST /sites/{id}/tokens": (_, w) =>
    Promise.resolve({ path: `/sites/${w.site.id}/tokens`, body: {} }),
  "POST /merchants/{id}/tokens": (_, w) =>
    Promise.resolve({ path: `/merchants/${w.merchant.id}/tokens`, body: { ttlDays: 30 } }),
  "DELETE /tokens/{jti}": async (t, w) => {
    const { jti } = await issueDeviceToken({ db: t.db, issuer: ORIGIN }, {
      kind: "pos",
      pos: w.pos,
    }, { ttlDays: 1, createdBy: w.owner });
    return { path: `/tokens/${jti}` };
  },
  "POST /organizations/{id}/staff": (_, w) =>
    Promise.resolve({
      path: `/organizations/${w.org.id}/staff`,
      body: { email: `new${fresh()}@example.com`, name: "Nina New", role: "support" },
    }),
  "DELETE /organizations/{id}/staff/{staffId}": async (t, w) => {
    const member = await addMember(t, w.org.id, "support", `leaver${fresh()}@example.com`);
    return { path: `/organizations/${w.org.id}/staff/${member.id}` };
  },
  "POST /merchant-groups": (_, w) =>
    Promise.resolve({
      path: "/merchant-groups",
      body: { organizationId: w.org.id, name: `Programme ${fresh()}` },
    }),
  "POST /merchants": (_, w) =>
    Promise.resolve({
      path: "/merchants",
      body: { organizationId: w.org.id, name: "Second brand", storeIds: [w.stores[1].id] },
    }),
  "POST /merchant-groups/{id}/merchants": async (t, w) => {
    const merchant = await createMerchant(t.db, {
      orgId: w.org.id,
      name: `Joining ${fresh()}`,
      storeIds: [],
      actor: w.owner,
    });
    return { path: `/merchant-groups/${w.group.id}/merchants`, body: { merchantId: merchant.id } };
  },
  "POST /merchant-groups/{id}/series": (_, w) =>
    Promise.resolve({
      path: `/merchant-groups/${w.group.id}/series`,
      body: { name: "Gift cards", type: "gift-card", prefix: `77${fresh()}`, currency: "EUR" },
    }),
  "PATCH /series/{id}": async (t, w) => {
    const series = await makeSeries(t, w, { type: "coupon" });
    return { path: `/series/${series.id}`, body: { fullReturnRestoresUses: true } };
  },
  "POST /series/{id}/instruments": async (t, w) => {
    const series = await makeSeries(t, w);
    return {
      path: `/series/${series.id}/instruments`,
      body: { count: 3 },
      headers: { "Idempotency-Key": `walk-${fresh()}` },
      settled: (answer) =>
        backgroundSettled((answer as { generation: { id: string } }).generation.id),
    };
  },
  "POST /instruments/{id}/{move}": async (t, w) => {
    const card = await makeCard(t, w, await makeSeries(t, w), { status: "inactive" });
    return { path: `/instruments/${card.id}/activate`, body: { reason: "sold", amount: 2500 } };
  },
  "PUT /merchant-groups/{id}/settings": async (t, w) => {
    const current = await adminCall(
      t,
      w.ownerToken,
      "GET",
      `/merchant-groups/${w.group.id}/settings`,
    );
    return {
      path: `/merchant-groups/${w.group.id}/settings`,
      body: {
        version: current.json.version,
        settings: { ...current.json.settings, maxAccountsPerCustomer: 5 },
      },
    };
  },
  "POST /merchant-groups/{id}/customers": (_, w) =>
    Promise.resolve({
      path: `/merchant-groups/${w.group.id}/customers`,
      body: { name: "Léa Lefèvre", categories: ["GOLD"] },
    }),
  "POST /customers/{id}/adjustments": (_, w) =>
    Promise.resolve({
      path: `/customers/${w.member!.customer.id}/adjustments`,
      body: { points: 12.5, reason: "goodwill" },
      headers: { "Idempotency-Key": `walk-${fresh()}` },
    }),
  "PATCH /customers/{id}": (_, w) =>
    Promise.resolve({
      path: `/customers/${w.member!.customer.id}`,
      body: { name: `Renamed ${fresh()}` },
    }),
  "POST /instruments/{id}/loads": async (t, w) => {
    const card = await makeCard(t, w, await makeSeries(t, w), { status: "active" });
    return {
      path: `/instruments/${card.id}/loads`,
      body: { amount: 1500, reason: "goodwill" },
      headers: { "Idempotency-Key": `walk-${fresh()}` },
    };
  },
  "POST /merchants/{id}/stores": async (t, w) => {
    const number = 100 + fresh();
    const store = await createStore(t.db, w.site, {
      number,
      name: `Joining ${number}`,
      timezone: "UTC",
    }, w.owner);
    return { path: `/merchants/${w.merchant.id}/stores`, body: { storeId: store.id } };
  },
  "POST /merchant-groups/{id}/settings/impact": {
    excluded: "read-only: counts the customers a settings change would affect, saves nothing",
  },
  "POST /customers/{id}/accounts": (_, w) =>
    Promise.resolve({ path: `/customers/${w.member!.customer.id}/accounts`, body: {} }),
  "PUT /merchant-groups/{id}/items": (_, w) =>
    Promise.resolve({
      path: `/merchant-groups/${w.group.id}/items`,
      body: {
        items: [{
          sku: "TEA",
          name: "Green tea",
          category: "DRINKS",
          prices: [450, 420, 400, 380, 350],
        }],
      },
    }),
  "PUT /merchant-groups/{id}/rules/draft": async (t, w) => {
    const { version } = await getDraft(t.db, w.group);
    return {
      path: `/merchant-groups/${w.group.id}/rules/draft`,
      body: { version, rules: [basicRule] },
    };
  },
  "POST /merchant-groups/{id}/rules/simulate": {
    excluded: "read-only: prices a basket with the engine's trace and writes nothing",
  },
  "POST /merchant-groups/{id}/rules/publish": async (t, w) => {
    const { version } = await getDraft(t.db, w.group);
    const draft = await saveDraft(t.db, w.group, { version, rules: [basicRule] }, w.owner);
    return {
      path: `/merchant-groups/${w.group.id}/rules/publish`,
      body: { draftVersion: draft.version },
    };
  },
  "POST /merchant-groups/{id}/rules/versions/{n}/restore": async (t, w) => {
    const { version } = await getDraft(t.db, w.group);
    const draft = await saveDraft(t.db, w.group, { version, rules: [basicRule] }, w.owner);
    const published = await publishDraft(t.db, w.group, { draftVersion: draft.version }, w.owner);
    return { path: `/merchant-groups/${w.group.id}/rules/versions/${published.version}/restore` };
  },
  "POST /merchant-groups/{id}/rules/draft/impact": (_, w) =>
    Promise.resolve({
      path: `/merchant-groups/${w.group.id}/rules/draft/impact`,
      body: { days: 7 },
    }),
  "POST /merchant-groups/{id}/rules/draft/impact/{jobId}/cancel": async (t, w) => {
    // A job still running, as a long window leaves it; a replay of no sales ends at once.
    const { version } = await getDraft(t.db, w.group);
    const job = await t.db.insertInto("replay_jobs").values({
      org_id: w.org.id,
      group_id: w.group.id,
      draft_version: version,
      draft_rules: JSON.stringify([]),
      published_version: null,
      days: 30,
      from_at: new Date(Date.now() - 30 * 86_400_000),
      to_at: new Date(),
      status: "running",
      created_by: w.owner.id,
    }).returning("id").executeTakeFirstOrThrow();
    return { path: `/merchant-groups/${w.group.id}/rules/draft/impact/${job.id}/cancel` };
  },
  "PUT /merchant-groups/{id}/new-member-email": async (t, w) => {
    const current = await adminCall(
      t,
      w.ownerToken,
      "GET",
      `/merchant-groups/${w.group.id}/new-member-email`,
    );
    return {
      path: `/merchant-groups/${w.group.id}/new-member-email`,
      body: {
        version: current.json.version,
        template: { ...EMAIL_TEMPLATE, subject: `Welcome ${fresh()}, {{name}}` },
      },
    };
  },
  "POST /merchant-groups/{id}/new-member-email/test": (_, w) =>
    Promise.resolve({ path: `/merchant-groups/${w.group.id}/new-member-email/test`, body: {} }),
  "POST /merchant-groups/{id}/new-member-email/outbox/{messageId}/retry": async (t, w) => {
    const customer = await adminCall(
      t,
      w.ownerToken,
      "POST",
      `/merchant-groups/${w.group.id}/customers`,
      {
        name: `Failed ${fresh()}`,
        email: "failed@example.com",
        categories: ["GOLD"],
      },
    );
    const row = await t.db.insertInto("email_outbox").values({
      org_id: w.org.id,
      group_id: w.group.id,
      customer_id: customer.json.id,
      to_address: "failed@example.com",
      status: "failed",
      attempts: 8,
      last_error: "550 mailbox unavailable",
    }).returning("id").executeTakeFirstOrThrow();
    return { path: `/merchant-groups/${w.group.id}/new-member-email/outbox/${row.id}/retry` };
  },
  "POST /merchant-groups/{id}/wholesale-orders": async (t, w) => {
    await wholesaleOrder(t, w);
    return {
      path: `/merchant-groups/${w.group.id}/wholesale-orders`,
      body: {
        customerNumber: w.member!.customer.number,
        location: w.store.number,
        currency: "EUR",
        lines: [{ sku: "CASE", quantity: 1 }],
      },
    };
  },
  "POST /merchant-groups/{id}/wholesale-orders/{orderId}/accept": async (t, w) => {
    const order = await wholesaleOrder(t, w);
    return {
      path: `/merchant-groups/${w.group.id}/wholesale-orders/${order.id}/accept`,
      body: { version: order.version },
    };
  },
  "POST /merchant-groups/{id}/wholesale-orders/{orderId}/cancel": async (t, w) => {
    const order = await wholesaleOrder(t, w);
    return {
      path: `/merchant-groups/${w.group.id}/wholesale-orders/${order.id}/cancel`,
      body: { version: order.version },
    };
  },
  "POST /merchant-groups/{id}/wholesale-orders/{orderId}/returns": async (t, w) => {
    const order = await wholesaleOrder(t, w);
    const path = `/merchant-groups/${w.group.id}/wholesale-orders/${order.id}`;
    const accepted = await adminCall(t, w.ownerToken, "POST", `${path}/accept`, {
      version: order.version,
    });
    return {
      path: `${path}/returns`,
      body: { version: accepted.json.version },
      headers: { "Idempotency-Key": `walk-${fresh()}` },
    };
  },
};

const MUTATING = new Set(["post", "put", "patch", "delete"]);
const ADMIN = "/api/admin/v1";

/** The document's mutating admin operations, as "METHOD /path" without the prefix. */
async function mutatingOperations(t: TestApp): Promise<string[]> {
  const doc = await (await t.request("/openapi.json")).json();
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
    if (!path.startsWith("/api/admin/")) continue;
    for (const method of Object.keys(item)) {
      if (MUTATING.has(method)) ops.push(`${method.toUpperCase()} ${path.slice(ADMIN.length)}`);
    }
  }
  return ops;
}

const auditCount = async (t: TestApp) =>
  Number(
    (await t.db.selectFrom("audit_log").select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow()).n,
  );

Deno.test(`every mutating admin operation leaves exactly one audit entry (${testBackend})`, async () => {
  const t = await createTestApp();
  try {
    const w = await buildWorld(t, { moreStores: [{ number: 2 }] });
    const ops = await mutatingOperations(t);
    const uncovered = ops.filter((op) => !(op in WALK));
    assert.deepEqual(
      uncovered,
      [],
      `mutating operations the audit walk does not cover:\n  ${uncovered.join("\n  ")}`,
    );
    const stale = Object.keys(WALK).filter((op) => !ops.includes(op));
    assert.deepEqual(stale, [], "walk entries the OpenAPI document no longer has");

    const wrong: string[] = [];
    for (const op of ops) {
      const walk = WALK[op];
      if ("excluded" in walk) continue;
      const call = await walk(t, w);
      const before = await auditCount(t);
      const [method] = op.split(" ");
      const res = await adminCall(t, w.ownerToken, method, call.path, call.body, call.headers);
      assert.ok(res.status < 300, `${op}: ${res.status} ${JSON.stringify(res.json)}`);
      await call.settled?.(res.json);
      const written = (await auditCount(t)) - before;
      if (written !== 1) wrong.push(`${op}: ${written} audit entries`);
    }
    assert.deepEqual(wrong, [], "operations that did not write exactly one audit entry");
  } finally {
    await t.close();
  }
});

Deno.test(`a refused request writes no audit entry (${testBackend})`, async () => {
  const t = await createTestApp();
  try {
    const w = await buildWorld(t);
    const before = await auditCount(t);
    const res = await adminCall(t, w.ownerToken, "POST", `/sites/${w.site.id}/stores`, {
      number: w.store.number,
      name: "Twin",
      timezone: "Europe/Paris",
    });
    assert.equal(res.status, 409);
    assert.equal(await auditCount(t), before);
  } finally {
    await t.close();
  }
});
