import assert from "node:assert/strict";
import { recordAudit } from "../../audit/log.ts";
import { encodeCursor } from "../../http/pagination.ts";
import { adminCall, createTestApp, signIn, type TestApp } from "../helpers/app.ts";
import { buildWorld, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

const call = (token: string | null, path: string) => adminCall(t, token, "GET", path);

interface Entry {
  id: string;
  organizationId: string;
  entity: string;
  entityId: string;
  action: string;
  actor: { id: string | null; label: string };
  at: string;
  before: unknown;
  after: unknown;
  diff: { path: string; before: unknown; after: unknown }[];
}

const A = await buildWorld(t, {
  name: "Acme",
  member: null,
  staff: { "a-admin": "admin", "a-marketing": "marketing", "a-support": "support" },
});
const B = await buildWorld(t, { name: "Bolt", member: null, staff: { "b-admin": "admin" } });
const owner = A.ownerToken;
const tokens = staffTokens(A, B);
const ids: Record<string, string> = Object.fromEntries(
  [A, B].flatMap((w) => Object.values(w.staff).map((m) => [m.email, m.id])),
);

/** One settings change by `token`: flips sendNewMemberEmail. */
async function flip(token: string, group: { id: string }) {
  const path = `/merchant-groups/${group.id}/settings`;
  const { version, settings } = (await call(token, path)).json;
  const res = await adminCall(t, token, "PUT", path, {
    version,
    settings: { ...settings, sendNewMemberEmail: !settings.sendNewMemberEmail },
  });
  assert.equal(res.status, 200);
}
for (let i = 0; i < 3; i++) await flip(tokens["a-marketing"], A.group);
for (let i = 0; i < 2; i++) await flip(tokens["a-admin"], A.group);
await flip(tokens["b-admin"], B.group);

const all = async (token: string, query = "") =>
  (await call(token, `/audit?limit=200${query}`)).json.items as Entry[];

Deno.test("an entry carries who, when, what, before, after and the diff", async () => {
  const [latest] = await all(tokens["a-admin"], "&entity=loyalty-settings");
  assert.equal(latest.organizationId, A.org.id);
  assert.equal(latest.entityId, A.group.id);
  assert.equal(latest.action, "update");
  assert.deepEqual(latest.actor, { id: ids["a-admin@example.com"], label: "a-admin@example.com" });
  assert.ok(!Number.isNaN(Date.parse(latest.at)));
  // Five flips from the default (off): the last one turned it on.
  assert.equal((latest.before as { sendNewMemberEmail: boolean }).sendNewMemberEmail, false);
  assert.equal((latest.after as { sendNewMemberEmail: boolean }).sendNewMemberEmail, true);
  assert.deepEqual(latest.diff, [{ path: "sendNewMemberEmail", before: false, after: true }]);
});

Deno.test("filters: entity, entityId, actorId, organizationId", async () => {
  const settings = await all(tokens["a-marketing"], "&entity=loyalty-settings");
  assert.equal(settings.length, 5);
  assert.ok(settings.every((e) => e.entity === "loyalty-settings"));
  const groups = await all(tokens["a-marketing"], "&entity=merchant-group");
  assert.deepEqual(groups.map((e) => e.entityId), [A.group.id]);
  const byEntityId = await all(owner, `&entityId=${A.group.id}`);
  assert.equal(byEntityId.length, 6, "the group's creation and its five settings changes");
  const byActor = await all(owner, `&actorId=${ids["a-marketing@example.com"]}`);
  assert.deepEqual(
    byActor.map((e) => e.action),
    ["update", "update", "update", "accept"],
    "three settings changes and the acceptance of their invitation",
  );
  assert.ok(byActor.every((e) => e.actor.label === "a-marketing@example.com"));
  const ownerAll = await all(owner);
  assert.ok(ownerAll.some((e) => e.organizationId === B.org.id));
  const onlyA = await all(owner, `&organizationId=${A.org.id}`);
  assert.ok(onlyA.length > 0 && onlyA.every((e) => e.organizationId === A.org.id));
  const times = ownerAll.map((e) => Date.parse(e.at));
  assert.deepEqual(times, [...times].sort((x, y) => y - x), "newest first");
});

Deno.test("pages with a cursor: every entry once, even entries written in the same instant", async () => {
  // One transaction: every entry gets the same `at`, so only the id breaks the tie.
  await t.db.transaction().execute(async (tx) => {
    for (let i = 0; i < 7; i++) {
      await recordAudit(tx, {
        orgId: A.org.id,
        entity: "batch",
        entityId: `item-${i}`,
        action: "create",
        actor: { id: ids["a-admin@example.com"], email: "a-admin@example.com" },
        before: null,
        after: { n: i },
      });
    }
  });
  for (const query of ["&entity=batch", ""]) {
    const expected = (await all(tokens["a-admin"], query)).map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json: { items: Entry[]; nextCursor: string | null } } = await call(
        tokens["a-admin"],
        `/audit?limit=2${query}${cursor ? `&cursor=${cursor}` : ""}`,
      );
      assert.ok(res.json.items.length <= 2);
      seen.push(...res.json.items.map((e) => e.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, expected, `query ${query || "(none)"}`);
  }
});

Deno.test("only organizations where the caller may read the log; others' entries never appear", async () => {
  const b = await all(tokens["b-admin"]);
  assert.ok(b.length > 0);
  assert.ok(b.every((e) => e.organizationId === B.org.id));
  const a = await all(tokens["a-marketing"]);
  assert.ok(a.every((e) => e.organizationId === A.org.id));
  assert.deepEqual(await all(tokens["b-admin"], `&entityId=${A.group.id}`), []);
  assert.deepEqual(await all(tokens["b-admin"], `&actorId=${ids["a-admin@example.com"]}`), []);

  const cases: [string | null, string, number][] = [
    [tokens["b-admin"], `/audit?organizationId=${A.org.id}`, 404],
    [tokens["a-admin"], `/audit?organizationId=${B.org.id}`, 404],
    [tokens["a-admin"], "/audit?organizationId=not-a-uuid", 404],
    [owner, `/audit?organizationId=${crypto.randomUUID()}`, 404],
    [tokens["a-support"], `/audit?organizationId=${A.org.id}`, 403],
    [null, "/audit", 401],
  ];
  for (const [token, path, status] of cases) {
    const res = await call(token, path);
    assert.equal(res.status, status, path);
    assert.match(res.type, /problem\+json/, path);
  }
  const support = await call(tokens["a-support"], "/audit");
  assert.equal(support.status, 200);
  assert.deepEqual(support.json, { items: [], nextCursor: null }, "support reads no audit log");
});

Deno.test("bad query input answers 422 naming the parameter", async () => {
  const cases: [string, string][] = [
    ["/audit?actorId=nope", "actorId"],
    ["/audit?cursor=garbage", "cursor"],
    [`/audit?cursor=${encodeCursor(["not-an-id"])}`, "cursor"],
    [`/audit?cursor=${encodeCursor(["a", "b"])}`, "cursor"],
    ["/audit?limit=0", "limit"],
    ["/audit?limit=201", "limit"],
    ["/audit?limit=ten", "limit"],
    [`/audit?entity=${"e".repeat(61)}`, "entity"],
  ];
  for (const [path, field] of cases) {
    const res = await call(tokens["a-admin"], path);
    assert.equal(res.status, 422, path);
    assert.ok(
      res.json.errors.some((e: { field: string }) => e.field === field),
      `${path}: ${JSON.stringify(res.json.errors)}`,
    );
  }
});

// ---- the console page ----

async function page(email: string, path: string) {
  const { cookie } = await signIn(t, email);
  const res = await t.request(path, { headers: { Cookie: cookie } });
  return { status: res.status, html: await res.text() };
}

Deno.test("the audit page shows readable diffs, filters by entity and user, and pages back", async () => {
  const { status, html } = await page("a-marketing@example.com", "/console/audit");
  assert.equal(status, 200);
  assert.match(
    html,
    /<span class="field">Email new members<\/span>: <span class="before">no<\/span> → <span class="after">yes<\/span>/,
  );
  assert.match(html, /<select name="entity">/);
  assert.match(html, /<option value="loyalty-settings">Loyalty settings<\/option>/);
  assert.match(html, /<select name="actor">/);
  assert.match(html, new RegExp(`<option value="${ids["a-marketing@example.com"]}">`));
  assert.doesNotMatch(html, /b-admin@example\.com/, "another organization's staff are not listed");
  assert.doesNotMatch(html, /Older entries/, "one page is enough so far");

  const byUser = await page(
    "a-marketing@example.com",
    `/console/audit?actor=${ids["a-admin@example.com"]}&entity=loyalty-settings`,
  );
  assert.equal(byUser.html.match(/<tr>/g)!.length - 1, 2, "a-admin's two settings changes");
  assert.doesNotMatch(byUser.html, /<td>a-marketing@example\.com<\/td>/);

  await t.db.transaction().execute(async (tx) => {
    for (let i = 0; i < 60; i++) {
      await recordAudit(tx, {
        orgId: A.org.id,
        entity: "bulk",
        entityId: `b-${i}`,
        action: "update",
        actor: { id: ids["a-admin@example.com"], email: "a-admin@example.com" },
        before: { n: i },
        after: { n: i + 1 },
      });
    }
  });
  const first = await page("a-marketing@example.com", "/console/audit?entity=bulk");
  const link = /<a href="([^"]+)" rel="next">Older entries<\/a>/.exec(first.html)?.[1];
  assert.ok(link, "an Older entries link");
  const older = await page("a-marketing@example.com", link.replaceAll("&amp;", "&"));
  const idsOn = (h: string) => [...h.matchAll(/<strong>(b-\d+)<\/strong>/g)].map((m) => m[1]);
  const shown = [...idsOn(first.html), ...idsOn(older.html)];
  assert.equal(idsOn(first.html).length, 50);
  assert.equal(new Set(shown).size, 60, "every entry on one of the two pages, none twice");
  assert.match(
    older.html,
    /<span class="field">N<\/span>: <span class="before">\d+<\/span> → <span class="after">\d+<\/span>/,
  );
});

Deno.test("the audit page: support is told it is not for their role; the owner sees organizations", async () => {
  const support = await page("a-support@example.com", "/console/audit");
  assert.equal(support.status, 403);
  assert.match(support.html, /does not include the audit log/);
  const b = await page("b-admin@example.com", "/console/audit");
  assert.equal(b.status, 200);
  assert.doesNotMatch(b.html, /a-marketing@example\.com|a-admin@example\.com/);
  const stranger = await page("b-admin@example.com", `/console/audit?org=${A.org.id}`);
  assert.equal(stranger.status, 404);
  const ownerPage = await page("owner@example.com", `/console/audit?org=${B.org.id}`);
  assert.match(ownerPage.html, /<select name="org">/);
  assert.match(ownerPage.html, /<td>Bolt<\/td>/);
  assert.doesNotMatch(ownerPage.html, /<td>Acme<\/td>/);
});

Deno.test({ name: "close the test app", fn: () => t.close() });
