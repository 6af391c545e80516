/**
 * GET /console/rules: the editor island with everything it shows in its props (no round
 * trip), per merchant group, read-only without `rules:manage`.
 */
import assert from "node:assert/strict";
import { createGroup } from "../../programme/groups.ts";
import { onePointPerUnit } from "../../rules/examples.ts";
import { createTestApp, signIn } from "../helpers/app.ts";
import { buildRegistry, buildWorld, publishRules } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t, {
  name: "Rules page",
  store: { number: 12, name: "Opéra" },
  staff: { "rp-marketing": "marketing", "rp-support": "support" },
});
await publishRules(t, w, [onePointPerUnit]);
const second = await createGroup(t.db, {
  orgId: w.org.id,
  name: "Second programme",
  actor: w.owner,
});
const other = await buildWorld(t, { name: "Rules page other" });
await buildRegistry(t, { name: "No programme", staff: { "rp-alone": "admin" } });

async function page(email: string, query = "") {
  const { cookie } = await signIn(t, email);
  const res = await t.request(`/console/rules${query}`, { headers: { Cookie: cookie } });
  return { status: res.status, html: await res.text() };
}

/** The props the server handed to the RuleEditor island. */
function props(html: string) {
  const raw = /data-island="RuleEditor" data-props="([^"]*)"/.exec(html)?.[1];
  assert.ok(raw, "the page renders the RuleEditor island");
  return JSON.parse(
    raw.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
  );
}

Deno.test("marketing edits the first group: catalogue, pickers, draft and live version in props", async () => {
  const { status, html } = await page("rp-marketing@example.com");
  assert.equal(status, 200);
  assert.match(html, /<a href="\/console\/rules" aria-current="page">Rules<\/a>/);
  assert.match(html, /<script type="module" src="\/assets\/RuleEditor-test\.js">/);
  const p = props(html);
  assert.equal(p.groupId, w.group.id);
  assert.equal(p.canManage, true);
  assert.ok(p.catalogue.facts.some((f: { name: string }) => f.name === "dayOfWeek"));
  assert.deepEqual(p.vocabulary.stores, [{ number: 12, name: "Opéra", timezone: "Europe/Paris" }]);
  assert.equal(p.draft.version, 2);
  assert.deepEqual(p.published.rules, [onePointPerUnit]);
  assert.deepEqual([p.published.version, p.published.draftVersion], [1, 2]);
  assert.deepEqual(p.versions.items.map((v: { version: number }) => v.version), [1]);
  assert.equal(p.versions.nextCursor, null);
  assert.match(html, /Save draft/, "server-rendered with its controls");
  // Two groups in the organization: the chooser switches between them.
  assert.match(html, /<form method="get" action="\/console\/rules"/);
  const chosen = await page("rp-marketing@example.com", `?group=${second.id}`);
  assert.equal(props(chosen.html).groupId, second.id);
  assert.equal(props(chosen.html).published, null);
});

Deno.test("support reads and simulates but the editor has no save, publish or restore", async () => {
  const { status, html } = await page("rp-support@example.com");
  assert.equal(status, 200);
  const p = props(html);
  assert.equal(p.canManage, false);
  assert.doesNotMatch(html, /Save draft|Publish…|Restore…|Add rule/);
  assert.match(html, /read only/);
  assert.match(html, /Simulate/);
});

Deno.test("another organization's group is not found; no group at all says where to make one", async () => {
  const foreign = await page("rp-marketing@example.com", `?group=${other.group.id}`);
  assert.equal(foreign.status, 404);
  const none = await page("rp-alone@example.com");
  assert.equal(none.status, 200);
  assert.match(none.html, /There is no merchant group yet/);
  assert.doesNotMatch(none.html, /data-island/);
});

Deno.test({
  name: "close the test app",
  fn: () => t.close(),
});
