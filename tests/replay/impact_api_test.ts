/**
 * The impact API end to end, on PGlite or Postgres (TEST_DATABASE_URL): real sales through the
 * POS, a draft, POST …/rules/draft/impact and what it answers (200 finished, 202 with Location
 * while queued), the kept job (reused, gone once the draft changes), cancel (and 409 once
 * finished), the per-sale comparison with its trace, roles, bad input and another org's
 * group, and a job a stopped server left behind resumed by the next instance.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { getDraft, saveDraft } from "../../earning/rule_sets.ts";
import { queueImpact } from "../../replay/jobs.ts";
import { adminCall, createTestApp, problemOf } from "../helpers/app.ts";
import { buildWorld, memberRule, posCall, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const A = await buildWorld(t, {
  name: "Impact A",
  member: { number: "M1", categories: ["GOLD"] },
  staff: { "ia-admin": "admin", "ia-marketing": "marketing", "ia-support": "support" },
});
const B = await buildWorld(t, {
  name: "Impact B",
  member: { number: "M9" },
  staff: { "ib-admin": "admin" },
});
const marketing = A.staff["ia-marketing"].token;
const base = `/merchant-groups/${A.group.id}/rules/draft/impact`;

const basic = memberRule("basic", { type: "basic-points", params: { pointsPerUnit: 1 } });
const publishedVersion = await publishRules(t, A, [basic]);
await publishRules(t, B, [basic]);

let receipts = 0;
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
async function sell(w = A, opts: { member?: string | null; shoes?: number; at?: string } = {}) {
  const body = {
    currency: "EUR",
    at: opts.at ?? hoursAgo(1 + receipts),
    receiptNumber: `R-${++receipts}`,
    ...(opts.member === null ? {} : { customer: { number: opts.member ?? "M1" } }),
    lines: [
      { sku: "SH1", category: "SHOES", quantity: opts.shoes ?? 1, unitPrice: 1000 },
      { sku: "SO1", category: "SOCKS", quantity: 2, unitPrice: 250 },
    ],
    tenders: [{ type: "CASH", amount: (opts.shoes ?? 1) * 1000 + 500 }],
  };
  const res = await posCall(t, w.posToken, "POST", "/sales", { body, key: crypto.randomUUID() });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json.id as string;
}

const memberSales = [await sell(), await sell(A, { shoes: 3 }), await sell(A, { shoes: 2 })];
const anonymous = await sell(A, { member: null });
const old = await sell(A, { at: hoursAgo(24 * 40) });
const beforeRecording = await sell();
// As a sale recorded before migration 0011 kept its pricing.
await t.db.updateTable("sales").set({ pricing: null }).where("id", "=", beforeRecording).execute();
const otherOrgSale = await sell(B, { member: "M9" });

// The draft: basic doubled, and 1 point per pair of shoes.
const shoes = memberRule("shoes", {
  type: "item-points",
  params: { selector: { categories: ["SHOES"] }, perItem: 1 },
});
const { version } = await getDraft(t.db, A.group);
const draft = await saveDraft(t.db, A.group, {
  version,
  rules: [{ ...basic, event: { type: "basic-points", params: { pointsPerUnit: 2 } } }, shoes],
}, A.owner);

Deno.test("POST impact answers 200 with the finished job and its result", async () => {
  const res = await adminCall(t, marketing, "POST", base, { days: 30 });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const job = res.json;
  assert.equal(job.status, "done");
  assert.equal(job.draftVersion, draft.version);
  assert.equal(job.publishedVersion, publishedVersion);
  assert.equal(job.days, 30);
  assert.deepEqual(job.progress, { done: 4, total: 4 });
  assert.equal(job.error, null);
  assert.ok(job.finishedAt);
  const r = job.result;
  // Member sales: 15.00, 35.00, 25.00 → 15 + 35 + 25 points published; doubled plus shoes.
  assert.equal(r.currency, "EUR");
  assert.equal(r.pointValue, 1);
  assert.equal(r.sales, 4);
  assert.equal(r.unreplayable, 1);
  assert.equal(r.salesChanged, 3);
  assert.equal(r.membersAffected, 1);
  assert.deepEqual(r.published, { points: 7500, value: 75 });
  assert.deepEqual(r.draft, { points: 15000 + 600, value: 156 });
  assert.deepEqual(r.byRule, [
    { ruleId: "basic", name: "basic", published: 7500, draft: 15000 },
    { ruleId: "shoes", name: "shoes", published: 0, draft: 600 },
  ]);
  assert.deepEqual(r.byCategory, [
    { category: 1, code: "GOLD", name: "Customer type", published: 7500, draft: 15600 },
  ]);
  assert.deepEqual(r.byStore, [{
    storeId: A.store.id,
    storeNumber: A.store.number,
    storeName: A.store.name,
    published: 7500,
    draft: 15600,
  }]);
  assert.deepEqual(r.topChanges.map((c: { delta: number }) => c.delta), [3800, 2700, 1600]);
  const top = r.topChanges[0];
  assert.equal(top.saleId, memberSales[1]);
  assert.equal(top.customerNumber, "M1");
  assert.equal(top.storeName, A.store.name);
  assert.deepEqual([top.published, top.draft], [3500, 7300]);
  assert.ok(!r.topChanges.some((c: { saleId: string }) => [anonymous, old].includes(c.saleId)));

  // Kept: the same job for the same draft version and days, and as the current impact.
  const again = await adminCall(t, marketing, "POST", base, {});
  assert.equal(again.status, 200);
  assert.equal(again.json.id, job.id, "30 days by default: the same job");
  const current = await adminCall(t, marketing, "GET", base);
  assert.equal(current.status, 200);
  const byId = await adminCall(t, marketing, "GET", `${base}/${job.id}`);
  assert.deepEqual(byId.json, job);
});

Deno.test("roles, bad input and another org's group", async () => {
  const support = await adminCall(t, A.staff["ia-support"].token, "POST", base, {});
  assert.equal(support.status, 403);
  assert.equal((await adminCall(t, A.staff["ia-support"].token, "GET", base)).status, 403);
  const admin = await adminCall(t, A.staff["ia-admin"].token, "GET", base);
  assert.equal(admin.status, 200);
  const other = await adminCall(t, B.staff["ib-admin"].token, "POST", base, {});
  assert.equal(other.status, 404);
  for (const days of [0, 366, 1.5, "30"]) {
    const bad = await adminCall(t, marketing, "POST", base, { days });
    assert.equal(bad.status, 422, `days ${days}`);
    const problem = await problemOf(bad);
    assert.ok(problem.type.endsWith("/validation"));
    assert.deepEqual(problem.errors.map((e: { field: string }) => e.field), ["days"]);
  }
  const extra = await adminCall(t, marketing, "POST", base, { days: 7, from: "2026-01-01" });
  assert.equal(extra.status, 422);
  const jobs = await t.db.selectFrom("replay_jobs").select("days")
    .where("group_id", "=", A.group.id).execute();
  assert.ok(jobs.every((j) => j.days === 30), "refusals start nothing");
  // B's job and sale are not A's.
  const theirs = await adminCall(
    t,
    B.staff["ib-admin"].token,
    "POST",
    `/merchant-groups/${B.group.id}/rules/draft/impact`,
    {},
  );
  assert.equal(theirs.status, 200);
  assert.equal((await adminCall(t, marketing, "GET", `${base}/${theirs.json.id}`)).status, 404);
  const mine = (await adminCall(t, marketing, "GET", base)).json.id;
  const sale = await adminCall(t, marketing, "GET", `${base}/${mine}/sales/${otherOrgSale}`);
  assert.equal(sale.status, 404);
  assert.equal((await adminCall(t, marketing, "GET", `${base}/not-an-id`)).status, 404);
});

Deno.test("the per-sale comparison says rule by rule why, under each version", async () => {
  const job = (await adminCall(t, marketing, "GET", base)).json;
  const res = await adminCall(t, marketing, "GET", `${base}/${job.id}/sales/${memberSales[1]}`);
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const c = res.json;
  assert.equal(c.sale.id, memberSales[1]);
  assert.equal(c.sale.storeName, A.store.name);
  assert.equal(c.sale.timeZone, "Europe/Paris");
  assert.equal(c.sale.customerNumber, "M1");
  assert.equal(c.sale.total, 3500);
  assert.deepEqual(c.sale.lines, [
    { sku: "SH1", quantity: 3, unitPrice: 1000, net: 3000 },
    { sku: "SO1", quantity: 2, unitPrice: 250, net: 500 },
  ]);
  assert.equal(c.published.version, publishedVersion);
  assert.equal(c.published.points, 3500);
  assert.equal(c.draft.version, draft.version);
  assert.equal(c.draft.points, 7300);
  assert.deepEqual(
    c.draft.rules.map((r: { ruleId: string; fired: boolean; points: number }) => [
      r.ruleId,
      r.fired,
      r.points,
    ]),
    [["basic", true, 7000], ["shoes", true, 300]],
  );
  const trace = c.draft.rules[1].trace;
  assert.equal(trace.status, "fired");
  assert.equal(trace.conditions.all[0].fact, "member");
  assert.equal(trace.conditions.all[0].factValue, true);

  // An anonymous sale: nothing fires, and the gate says why.
  const anon = await adminCall(t, marketing, "GET", `${base}/${job.id}/sales/${anonymous}`);
  assert.equal(anon.json.draft.rules[0].fired, false);
  assert.equal(anon.json.draft.rules[0].trace.gate[0].fact, "nonLoyalty");
  assert.equal(anon.json.draft.rules[0].trace.gate[0].result, false);
  const before = await adminCall(t, marketing, "GET", `${base}/${job.id}/sales/${beforeRecording}`);
  assert.equal(before.status, 409);
  assert.ok((await problemOf(before)).type.endsWith("/unreplayable"));
});

Deno.test("202 while queued, cancel, 409 once finished; a stopped server's job resumes", async () => {
  // A job queued by an instance that stopped before running it (its heartbeat is fresh: no
  // instance adopts it yet).
  const current = await getDraft(t.db, A.group);
  const queued = await queueImpact(t.db, A.group, {
    draft: current,
    publishedVersion,
    days: 7,
    now: new Date(),
  }, A.owner);
  const res = await adminCall(t, marketing, "POST", base, { days: 7 });
  assert.equal(res.status, 202);
  assert.equal(res.json.id, queued.id);
  assert.equal(res.json.status, "queued");
  assert.equal(
    res.headers.get("Location"),
    `/api/admin/v1/merchant-groups/${A.group.id}/rules/draft/impact/${queued.id}`,
  );
  const cancelled = await adminCall(t, marketing, "POST", `${base}/${queued.id}/cancel`);
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.json.status, "cancelled");
  assert.ok(cancelled.json.finishedAt);
  const twice = await adminCall(t, marketing, "POST", `${base}/${queued.id}/cancel`);
  assert.equal(twice.status, 409);
  assert.ok((await problemOf(twice)).type.endsWith("/conflict"));
  const done = (await adminCall(t, marketing, "GET", base)).json;
  assert.equal((await adminCall(t, marketing, "POST", `${base}/${done.id}/cancel`)).status, 409);
  const audit = await t.db.selectFrom("audit_log").select("action")
    .where("entity", "=", "rule-set-impact").where("entity_id", "=", queued.id)
    .orderBy("at").execute();
  assert.deepEqual(audit.map((a) => a.action), ["start", "cancel"]);

  // Lost: its heartbeat stopped long ago. The next instance to start resumes it.
  const lost = await queueImpact(t.db, A.group, {
    draft: current,
    publishedVersion,
    days: 14,
    now: new Date(),
  }, A.owner);
  await t.db.updateTable("replay_jobs").set({ heartbeat_at: sql`now() - interval '1 minute'` })
    .where("id", "=", lost.id).execute();
  const next = await createTestApp({}, { database: t.database });
  const adopted = await adminCall(next, marketing, "GET", `${base}/${lost.id}`);
  assert.equal(adopted.status, 200);
  let job = adopted.json;
  while (job.status === "queued" || job.status === "running") {
    await new Promise((r) => setTimeout(r, 20));
    job = (await adminCall(next, marketing, "GET", `${base}/${lost.id}`)).json;
  }
  assert.equal(job.status, "done");
  assert.equal(job.result.draft.points, 15600);
});

Deno.test("the result is kept until the draft changes", async () => {
  const current = await getDraft(t.db, A.group);
  await saveDraft(t.db, A.group, { version: current.version, rules: [basic] }, A.owner);
  const gone = await adminCall(t, marketing, "GET", base);
  assert.equal(gone.status, 404);
  assert.ok((await problemOf(gone)).type.endsWith("/not-found"));
  const fresh = await adminCall(t, marketing, "POST", base, {});
  assert.equal(fresh.status, 200);
  assert.equal(fresh.json.draftVersion, current.version + 1);
  assert.equal(fresh.json.result.salesChanged, 0);
  assert.deepEqual(fresh.json.result.draft, fresh.json.result.published);
  await t.close();
});
