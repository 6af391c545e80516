/**
 * Saving settings that make members non-members says how many first: the impact endpoint
 * counts them without saving, and the settings page asks for a confirmation with the count.
 */
import assert from "node:assert/strict";
import { createCustomer } from "../../members/customers.ts";
import {
  adminCall,
  createTestApp,
  ORIGIN,
  problemOf,
  signIn,
  type TestApp,
} from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
const A = await buildWorld(t, {
  name: "Acme",
  member: null,
  settings: { nonLoyaltyCategoryCodes: ["CASH"] },
});
for (const [i, type] of ["GOLD", "GOLD", "GOLD", "SILVER", "CASH"].entries()) {
  await createCustomer(t.db, A.group, { name: `C${i}`, categories: [type] }, A.settings);
}
const path = `/merchant-groups/${A.group.id}/settings`;
const current = async () => (await adminCall(t, A.ownerToken, "GET", path)).json;

Deno.test(`the impact counts members leaving and joining, and saves nothing (${testBackend})`, async () => {
  const { version, settings } = await current();
  const impact = await adminCall(t, A.ownerToken, "POST", `${path}/impact`, {
    settings: { ...settings, nonLoyaltyCategoryCodes: ["gold", "SILVER "] },
  });
  assert.equal(impact.status, 200, JSON.stringify(impact.json));
  assert.deepEqual(impact.json, {
    membersLeaving: 4,
    membersJoining: 1,
    typesLeaving: ["GOLD", "SILVER"],
    typesJoining: ["CASH"],
  });
  const none = await adminCall(t, A.ownerToken, "POST", `${path}/impact`, { settings });
  assert.deepEqual(none.json, {
    membersLeaving: 0,
    membersJoining: 0,
    typesLeaving: [],
    typesJoining: [],
  });
  assert.equal((await current()).version, version);
  const bad = await adminCall(t, A.ownerToken, "POST", `${path}/impact`, {
    settings: { ...settings, nonLoyaltyCategoryCodes: "GOLD" },
  });
  assert.equal(bad.status, 422);
  assert.ok(
    (await problemOf(bad)).errors.some((e: { field: string }) =>
      e.field.startsWith("settings.nonLoyaltyCategoryCodes")
    ),
  );
});

Deno.test(`the settings page asks before making members non-members; confirmed, it saves (${testBackend})`, async () => {
  const { cookie, csrf } = await signIn(t, "owner@example.com");
  const page = await (await t.request(`/console/settings?group=${A.group.id}`, {
    headers: { Cookie: cookie },
  }))
    .text();
  // Every field of the form, as the browser would send it, with one code more.
  const fields = new URLSearchParams();
  const form = page.slice(page.indexOf('id="settings-form"'));
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1];
    const name = attr("name");
    if (!name) continue;
    if (/type="checkbox"/.test(m[1]) && !/checked/.test(m[1])) continue;
    fields.set(name, (attr("value") ?? "").replaceAll("&amp;", "&"));
  }
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[\s\S]*?<\/select>/g)) {
    const selected = /<option[^>]*value="([^"]*)"[^>]*selected/.exec(m[0]) ??
      /<option[^>]*value="([^"]*)"/.exec(m[0]);
    if (selected) fields.set(m[1], selected[1]);
  }
  fields.set("_csrf", csrf);
  fields.set("nonLoyaltyCategoryCodes", "CASH, SILVER");
  const post = (body: URLSearchParams) =>
    t.request(`/console/settings/${A.group.id}`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        Origin: ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body,
    });
  const before = (await current()).version;
  const asked = await post(fields);
  const html = await asked.text();
  assert.equal(asked.status, 200, html.slice(0, 500));
  assert.match(html, /Saving makes 1 member non-members/);
  assert.match(html, /<span data-figure="members-leaving">1<\/span>/);
  assert.equal((await current()).version, before, "not saved yet");
  fields.set("confirm", "yes");
  const saved = await post(fields);
  assert.equal(saved.status, 303);
  const after = await current();
  assert.equal(after.version, before + 1);
  assert.deepEqual(after.settings.nonLoyaltyCategoryCodes, ["CASH", "SILVER"]);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
