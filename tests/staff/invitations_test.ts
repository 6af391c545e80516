import assert from "node:assert/strict";
import {
  addOwner,
  adminCall,
  bearerFor,
  ORIGIN,
  PASSWORD,
  signIn,
  withApp,
} from "../helpers/app.ts";
import { buildRegistry } from "../helpers/world.ts";

Deno.test("an invited person sets a password through the one-time link and gets their role", () =>
  withApp(async (t) => {
    const { org, ownerToken: owner } = await buildRegistry(t, { name: "Acme" });
    const invited = await adminCall(t, owner, "POST", `/organizations/${org.id}/staff`, {
      email: "Mia@Example.com",
      name: "Mia",
      role: "marketing",
    });
    assert.equal(invited.status, 201);
    const { member, inviteUrl } = invited.json;
    assert.equal(member.active, false);
    assert.match(inviteUrl, new RegExp(`^${ORIGIN}/invite/[A-Za-z0-9_-]{40,}$`));
    const path = new URL(inviteUrl).pathname;

    assert.equal(await bearerFor(t, "mia@example.com", "").catch(() => "refused"), "refused");
    const page = await t.request(path);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Mia@Example\.com/);

    const form = (password: string) => ({
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: new URLSearchParams({ password }),
    });
    const short = await t.request(path, form("short"));
    assert.equal(short.status, 422);
    await short.body?.cancel();
    const accepted = await t.request(path, form(PASSWORD));
    assert.equal(accepted.status, 302);
    assert.ok(accepted.headers.getSetCookie().some((c) => c.startsWith("le_session=")));

    const reused = await t.request(path, form("another password!"));
    assert.equal(reused.status, 404, "the link works once");
    await reused.body?.cancel();

    const mia = await bearerFor(t, "mia@example.com");
    const me = (await adminCall(t, mia, "GET", "/me")).json;
    assert.deepEqual(me.memberships, [{ organizationId: org.id, role: "marketing" }]);
    const tree = await adminCall(t, mia, "GET", `/organizations/${org.id}`);
    assert.equal(tree.status, 200);
    const site = await adminCall(t, mia, "POST", `/organizations/${org.id}/sites`, { name: "S" });
    assert.equal(site.status, 403, "marketing cannot register devices");

    const again = await adminCall(t, owner, "POST", `/organizations/${org.id}/staff`, {
      email: "mia@example.com",
      name: "Mia",
      role: "admin",
    });
    assert.equal(again.status, 409);

    const removed = await adminCall(
      t,
      owner,
      "DELETE",
      `/organizations/${org.id}/staff/${member.id}`,
    );
    assert.equal(removed.status, 204);
    const gone = await adminCall(t, mia, "GET", `/organizations/${org.id}`);
    assert.equal(gone.status, 404, "a removed member no longer sees the organization");
    const listed = (await adminCall(t, mia, "GET", "/organizations")).json;
    assert.deepEqual(listed.items, []);
  }));

Deno.test("an unknown or expired invitation link shows a page, not an error", () =>
  withApp(async (t) => {
    await addOwner(t);
    const res = await t.request("/invite/not-a-real-token");
    assert.equal(res.status, 404);
    assert.match(await res.text(), /used already or has expired/);
  }));

Deno.test("the staff page invites with a form, shows the link once, and removes", () =>
  withApp(async (t) => {
    const { org, ownerToken: owner } = await buildRegistry(t, { name: "Acme" });
    const { cookie, csrf } = await signIn(t, "owner@example.com");
    const post = (path: string, fields: Record<string, string>) =>
      t.request(path, {
        method: "POST",
        headers: {
          Cookie: cookie,
          "Content-Type": "application/x-www-form-urlencoded",
          Origin: ORIGIN,
        },
        body: new URLSearchParams(fields),
      });

    const bad = await post(`/console/staff/${org.id}/invite`, {
      _csrf: csrf,
      email: "nope",
      name: "",
      role: "admin",
    });
    assert.equal(bad.status, 422);
    const badHtml = await bad.text();
    assert.match(badHtml, /id="email-error"[^>]*>enter an email address/);
    assert.match(badHtml, /id="name-error"/);

    const ok = await post(`/console/staff/${org.id}/invite`, {
      _csrf: csrf,
      email: "sam@example.com",
      name: "Sam",
      role: "support",
    });
    assert.equal(ok.status, 200);
    const html = await ok.text();
    assert.match(
      html,
      /value="http:\/\/localhost:8000\/invite\/[^"]+" aria-label="Invitation link"/,
    );
    const page = await (await t.request("/console/staff", { headers: { Cookie: cookie } })).text();
    assert.match(page, /sam@example\.com/);
    assert.doesNotMatch(page, /\/invite\//, "the link is not shown again");

    const members = (await adminCall(t, owner, "GET", `/organizations/${org.id}/staff`)).json;
    // The first post asks for a confirmation and removes nothing; the confirmed one removes.
    const asked = await post(`/console/staff/${org.id}/remove`, {
      _csrf: csrf,
      staffId: members.items[0].id,
    });
    assert.equal(asked.status, 200);
    const askedHtml = await asked.text();
    assert.match(askedHtml, /<h2 id="confirm-heading"[^>]*>Remove Sam from Acme\?<\/h2>/);
    assert.match(askedHtml, /<input type="hidden" name="confirm" value="yes"\/>/);
    const still = (await adminCall(t, owner, "GET", `/organizations/${org.id}/staff`)).json;
    assert.equal(still.items.length, 1);
    const removed = await post(`/console/staff/${org.id}/remove`, {
      _csrf: csrf,
      staffId: members.items[0].id,
      confirm: "yes",
    });
    assert.equal(removed.status, 302);
    const after = (await adminCall(t, owner, "GET", `/organizations/${org.id}/staff`)).json;
    assert.deepEqual(after.items, []);
  }));

Deno.test("an invitation defaults to the least privileged role; the staff page lists the signed-in owner", () =>
  withApp(async (t) => {
    const { org, ownerToken: owner } = await buildRegistry(t, { name: "Acme" });
    const invited = await adminCall(t, owner, "POST", `/organizations/${org.id}/staff`, {
      email: "least@example.com",
      name: "Least",
    });
    assert.equal(invited.status, 201, JSON.stringify(invited.json));
    assert.equal(invited.json.member.role, "support", "no role sent: support");

    const { cookie } = await signIn(t, "owner@example.com");
    const page = await (await t.request("/console/staff", { headers: { Cookie: cookie } })).text();
    const rows = [...page.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)]
      .map((m) => m.slice(1, 4));
    assert.deepEqual(
      rows[0],
      ["Olivia Owner", "owner@example.com", "owner (you)"],
      "the owner first",
    );
    assert.deepEqual(rows[1], ["Least", "least@example.com", "support"]);
    const selected = [...page.matchAll(/<option value="(\w+)"( selected)?/g)]
      .filter((m) => m[2]).map((m) => m[1]);
    assert.deepEqual(selected, ["support"], "the invite form preselects support");
  }));
