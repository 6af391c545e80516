import assert from "node:assert/strict";
import {
  adminCall,
  createTestApp,
  ORIGIN,
  problemOf,
  signIn,
  type TestApp,
} from "../helpers/app.ts";
import { startSmtp } from "../helpers/smtp.ts";
import { buildWorld, configure, staffTokens, type World } from "../helpers/world.ts";

const smtp = await startSmtp();
const t: TestApp = await createTestApp({ SMTP_URL: smtp.url, MAIL_FROM: "loyalty@acme.test" });
const W: World = await buildWorld(t, {
  name: "Acme",
  staff: { "m-marketing": "marketing", "s-support": "support" },
  member: null,
});
const tokens = staffTokens(W);
const owner = W.ownerToken;
const path = `/merchant-groups/${W.group.id}/new-member-email`;

const audits = async () => (await t.db.selectFrom("audit_log").select(["entity", "action"]).where(
  "org_id",
  "=",
  W.org.id,
)
  .where("entity", "like", "email%").orderBy("at").execute());

const custom = {
  subject: "Hi {{ name }}",
  text: "Number {{customerNumber}}, card {{cardNumber}}.",
  html: "<p>Hi {{name}}, card {{cardNumber}}</p>",
};

Deno.test("the template: built-in at version 0, saved with a version, audited once", async () => {
  const read = await adminCall(t, owner, "GET", path);
  assert.equal(read.status, 200);
  assert.equal(read.json.version, 0);
  assert.equal(read.json.isDefault, true);
  assert.match(read.json.template.subject, /\{\{name\}\}/);
  assert.deepEqual(read.json.counts, { pending: 0, sent: 0, logged: 0, failed: 0, skipped: 0 });

  const saved = await adminCall(t, tokens["m-marketing"], "PUT", path, {
    version: 0,
    template: custom,
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.equal(saved.json.version, 1);
  assert.equal(saved.json.isDefault, false);
  assert.deepEqual(saved.json.template, custom);
  const stale = await adminCall(t, owner, "PUT", path, { version: 0, template: custom });
  assert.equal(stale.status, 409);
  assert.equal((await problemOf(stale)).version, 1);
  const same = await adminCall(t, owner, "PUT", path, { version: 1, template: custom });
  assert.equal(same.json.version, 1, "nothing changed, no new version");
  assert.deepEqual(await audits(), [{ entity: "email-template", action: "update" }]);
});

Deno.test("a bad template is a 422 naming the field, and changes nothing", async () => {
  const before = await audits();
  for (
    const [template, field] of [
      [{ ...custom, subject: "Hi {{surname}}" }, "template.subject"],
      [{ ...custom, subject: "two\nlines" }, "template.subject"],
      [{ ...custom, html: "" }, "template.html"],
      [{ subject: "x", text: "y" }, "template.html"],
    ] as const
  ) {
    const res = await adminCall(t, owner, "PUT", path, { version: 1, template });
    assert.equal(res.status, 422, JSON.stringify(res.json));
    const problem = await problemOf(res);
    assert.ok(
      problem.errors.some((e: { field: string }) => e.field === field),
      JSON.stringify(problem),
    );
  }
  assert.equal((await adminCall(t, owner, "GET", path)).json.version, 1);
  assert.deepEqual(await audits(), before);
});

Deno.test("roles: support reads, may not save, test or retry", async () => {
  const support = tokens["s-support"];
  assert.equal((await adminCall(t, support, "GET", path)).status, 200);
  assert.equal((await adminCall(t, support, "GET", `${path}/outbox`)).status, 200);
  assert.equal(
    (await adminCall(t, support, "PUT", path, { version: 1, template: custom })).status,
    403,
  );
  assert.equal((await adminCall(t, support, "POST", `${path}/test`, {})).status, 403);
  assert.equal((await adminCall(t, null, "GET", path)).status, 401);
});

Deno.test("send me a test: the editor's template with the sample member, to my own email", async () => {
  smtp.messages.length = 0;
  const res = await adminCall(t, tokens["m-marketing"], "POST", `${path}/test`, {
    template: { ...custom, subject: "Test for {{name}}" },
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.via, "smtp");
  assert.equal(res.json.to, "m-marketing@example.com");
  await smtp.waitFor(1);
  const [mail] = smtp.messages;
  assert.deepEqual(mail.rcptTo, ["m-marketing@example.com"]);
  assert.equal(mail.subject, "Test for Ana Lefèvre");
  assert.equal(mail.from, "loyalty@acme.test");
  assert.equal(mail.messageId, res.json.messageId);
  const saved = await adminCall(t, owner, "POST", `${path}/test`);
  assert.equal(saved.status, 200, "without a body, the saved template");
  await smtp.waitFor(2);
  assert.equal(smtp.messages[1].subject, "Hi Ana Lefèvre");
  assert.deepEqual((await audits()).slice(-2), [
    { entity: "email-template", action: "test-send" },
    { entity: "email-template", action: "test-send" },
  ]);
});

Deno.test("an SMTP server that is down: the test is a 502 with its error", async () => {
  await smtp.stop();
  try {
    const res = await adminCall(t, owner, "POST", `${path}/test`, {});
    assert.equal(res.status, 502);
    assert.match((await problemOf(res)).detail, /ECONNREFUSED/);
  } finally {
    await smtp.start();
  }
});

Deno.test("the outbox lists the group's emails with their members, and counts them", async () => {
  await configure(t, owner, W.group.id, { sendNewMemberEmail: true });
  const created = await adminCall(t, owner, "POST", `/merchant-groups/${W.group.id}/customers`, {
    name: "Console Carla",
    email: "carla@example.com",
    categories: ["GOLD"],
  });
  assert.equal(created.status, 201);
  await adminCall(t, owner, "POST", `/merchant-groups/${W.group.id}/customers`, {
    name: "No Mail Ned",
    categories: ["GOLD"],
  });
  const list = await adminCall(t, owner, "GET", `${path}/outbox?limit=1`);
  assert.equal(list.status, 200);
  assert.equal(list.json.items.length, 1);
  assert.equal(list.json.items[0].name, "No Mail Ned");
  assert.equal(list.json.items[0].status, "skipped");
  const next = await adminCall(
    t,
    owner,
    "GET",
    `${path}/outbox?limit=1&cursor=${list.json.nextCursor}`,
  );
  assert.equal(next.json.items[0].name, "Console Carla");
  assert.equal(next.json.items[0].to, "carla@example.com");
  assert.equal(next.json.items[0].status, "pending");
  assert.equal(next.json.items[0].customerNumber, created.json.number);
  const counts = (await adminCall(t, owner, "GET", path)).json.counts;
  assert.equal(counts.pending, 1);
  assert.equal(counts.skipped, 1);
  const pending = next.json.items[0].id;
  const retry = await adminCall(t, owner, "POST", `${path}/outbox/${pending}/retry`);
  assert.equal(retry.status, 409);
  assert.equal((await adminCall(t, owner, "POST", `${path}/outbox/nope/retry`)).status, 404);
  const bad = await adminCall(t, owner, "GET", `${path}/outbox?status=lost`);
  assert.equal(bad.status, 422);
});

Deno.test("the OpenAPI document describes the template and outbox operations", async () => {
  const doc = await (await t.request("/openapi.json")).json();
  const base = "/api/admin/v1/merchant-groups/{id}/new-member-email";
  assert.deepEqual(Object.keys(doc.paths[base]).sort(), ["get", "put"]);
  assert.ok(doc.paths[`${base}/test`].post);
  assert.ok(doc.paths[`${base}/outbox`].get);
  assert.ok(doc.paths[`${base}/outbox/{messageId}/retry`].post);
  assert.ok(doc.components.schemas.NewMemberEmailTemplate);
});

Deno.test("the console page: editor, preview with the fields escaped, outbox", async () => {
  const { cookie, csrf } = await signIn(t, "owner@example.com");
  const page = await t.request(`/console/settings/email?group=${W.group.id}`, {
    headers: { Cookie: cookie },
  });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /New member email/);
  assert.match(html, /Console Carla/);
  assert.match(html, /Skipped \(no email\): <strong>1<\/strong>/);
  const preview = await t.request(`/console/settings/email/${W.group.id}`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
    },
    body: new URLSearchParams({
      _csrf: csrf,
      version: "1",
      action: "preview",
      subject: "Preview {{name}}",
      text: "T",
      html: "<p>{{name}}</p>",
    }),
  });
  assert.equal(preview.status, 200);
  const shown = await preview.text();
  assert.match(shown, /Preview Ana Lefèvre/);
  // The HTML goes into a sandboxed frame's srcdoc, itself escaped as an attribute.
  const srcdoc = /<iframe title="HTML preview" sandbox srcdoc="([^"]*)"/.exec(shown)?.[1];
  assert.equal(
    srcdoc?.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
    "<p>Ana Lefèvre</p>",
  );
  const refused = await t.request(`/console/settings/email/${W.group.id}`, {
    method: "POST",
    headers: {
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
    },
    body: new URLSearchParams({
      _csrf: csrf,
      version: "1",
      action: "save",
      subject: "{{nope}}",
      text: "T",
      html: "H",
    }),
  });
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /placeholders are/);
  assert.equal((await adminCall(t, owner, "GET", path)).json.template.subject, custom.subject);
});

Deno.test({
  name: "teardown",
  fn: async () => {
    await smtp.stop();
    await t.close();
  },
});
