import assert from "node:assert/strict";
import { getGroup } from "../../programme/groups.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import {
  DEFAULT_SETTINGS,
  type LoyaltySettings,
  SETTING_TEXT,
} from "../../programme/settings_schema.ts";
import { findStaffById } from "../../staff/users.ts";
import { adminCall, createTestApp, ORIGIN, signIn, type TestApp } from "../helpers/app.ts";
import { buildWorld, staffTokens } from "../helpers/world.ts";

const t: TestApp = await createTestApp();

const A = await buildWorld(t, {
  name: "Acme",
  groupName: "Acme Rewards",
  member: null,
  staff: {
    "a-admin": "admin",
    "a-marketing": "marketing",
    "a-marketing2": "marketing",
    "a-support": "support",
  },
});
const B = await buildWorld(t, {
  name: "Bolt",
  groupName: "Bolt Rewards",
  member: null,
  staff: { "b-admin": "admin" },
});
const owner = A.ownerToken;
const tokens = staffTokens(A, B);

const call = (token: string | null, method: string, path: string, body?: unknown) =>
  adminCall(t, token, method, path, body);

const settingsPath = (g: { id: string }) => `/merchant-groups/${g.id}/settings`;

const read = async (g = A.group) =>
  (await call(owner, "GET", settingsPath(g))).json as {
    version: number;
    settings: LoyaltySettings;
  };

const settingsAudit = async (groupId = A.group.id) =>
  await t.db.selectFrom("audit_log").selectAll().where("entity", "=", "loyalty-settings")
    .where("entity_id", "=", groupId).orderBy("at").execute();

/** A deep copy of the current settings with one change applied. */
const changed = (s: LoyaltySettings, change: (s: Record<string, unknown>) => void) => {
  const copy = structuredClone(s) as unknown as Record<string, unknown>;
  change(copy);
  return copy;
};

Deno.test("a new group's settings are the defaults at version 1", async () => {
  const res = await call(tokens["a-support"], "GET", settingsPath(A.group));
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { version: 1, settings: DEFAULT_SETTINGS });
});

Deno.test("pointValue: 1 by default, and for a version saved before it existed", async () => {
  assert.equal(DEFAULT_SETTINGS.pointValue, 1);
  const C = await buildWorld(t, { name: "Coin", member: null });
  const { version, settings } = await read(C.group);
  const { pointValue: _, ...older } = settings;
  const saved = await call(owner, "PUT", settingsPath(C.group), {
    version,
    settings: { ...older, roundingRule: "up" },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.json));
  assert.equal(saved.json.settings.pointValue, 1);
  // A row written by an earlier release has no pointValue at all.
  await t.db.updateTable("loyalty_settings")
    .set({ settings: JSON.stringify({ ...older, roundingRule: "up" }) })
    .where("group_id", "=", C.group.id).execute();
  assert.equal((await read(C.group)).settings.pointValue, 1);
});

Deno.test("pointsEarnedOnPartPaidWithPoints: off by default and for rows saved before it; audited", async () => {
  assert.equal(DEFAULT_SETTINGS.pointsEarnedOnPartPaidWithPoints, false);
  const C = await buildWorld(t, { name: "Cent", member: null });
  const { version, settings } = await read(C.group);
  assert.equal(settings.pointsEarnedOnPartPaidWithPoints, false);
  const { pointsEarnedOnPartPaidWithPoints: _, ...older } = settings;
  // A client's copy from before the setting: accepted, and it means off.
  const kept = await call(owner, "PUT", settingsPath(C.group), {
    version,
    settings: { ...older, roundingRule: "up" },
  });
  assert.equal(kept.status, 200, JSON.stringify(kept.json));
  assert.equal(kept.json.settings.pointsEarnedOnPartPaidWithPoints, false);
  const on = await call(owner, "PUT", settingsPath(C.group), {
    version: kept.json.version,
    settings: { ...kept.json.settings, pointsEarnedOnPartPaidWithPoints: true },
  });
  assert.equal(on.status, 200);
  assert.equal(on.json.settings.pointsEarnedOnPartPaidWithPoints, true);
  const [last] = (await settingsAudit(C.group.id)).reverse();
  assert.deepEqual(
    [
      (last.before as Record<string, unknown>).pointsEarnedOnPartPaidWithPoints,
      (last.after as Record<string, unknown>).pointsEarnedOnPartPaidWithPoints,
    ],
    [false, true],
  );
  // A row written by an earlier release has no such key at all: it reads as off.
  await t.db.updateTable("loyalty_settings").set({ settings: JSON.stringify(older) })
    .where("group_id", "=", C.group.id).execute();
  assert.equal((await read(C.group)).settings.pointsEarnedOnPartPaidWithPoints, false);
});

Deno.test("a save answers the next version, normalizes codes and writes one audit entry", async () => {
  const { version, settings } = await read();
  const auditBefore = (await settingsAudit()).length;
  const res = await call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
    version,
    settings: changed(settings, (s) => {
      s.nonLoyaltyCategoryCodes = [" cash ", "trade"];
      s.staffLoyaltyCategoryCodes = ["staff"];
      s.defaultAccountType = " points ";
      s.roundingRule = "down";
      (s.wholesale as Record<string, unknown>).priceLevel = 2;
      (s.wholesale as Record<string, unknown>).tillCode = " till1 ";
    }),
  });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.version, version + 1);
  assert.deepEqual(res.json.settings.nonLoyaltyCategoryCodes, ["CASH", "TRADE"]);
  assert.deepEqual(res.json.settings.staffLoyaltyCategoryCodes, ["STAFF"]);
  assert.equal(res.json.settings.defaultAccountType, "POINTS");
  assert.equal(res.json.settings.wholesale.tillCode, "TILL1");
  assert.deepEqual(await read(), res.json, "GET answers what PUT saved");

  const entries = await settingsAudit();
  assert.equal(entries.length, auditBefore + 1);
  const entry = entries.at(-1)!;
  assert.equal(entry.org_id, A.org.id);
  assert.equal(entry.action, "update");
  assert.equal(entry.actor_label, "a-marketing@example.com");
  assert.deepEqual(entry.before, settings);
  assert.deepEqual(entry.after, res.json.settings);
  assert.deepEqual((entry.diff as { path: string }[]).map((d) => d.path), [
    "defaultAccountType",
    "nonLoyaltyCategoryCodes",
    "roundingRule",
    "staffLoyaltyCategoryCodes",
    "wholesale.priceLevel",
    "wholesale.tillCode",
  ]);
  const row = await t.db.selectFrom("loyalty_settings").selectAll()
    .where("group_id", "=", A.group.id).executeTakeFirstOrThrow();
  assert.equal(row.updated_by, entry.actor_id);
});

Deno.test("every setting is validated: 422 naming the field, nothing written", async () => {
  const { version, settings } = await read();
  const auditBefore = (await settingsAudit()).length;
  const set = (path: string, value: unknown) => (s: Record<string, unknown>) => {
    const [head, tail] = path.split(".");
    if (tail) (s[head] as Record<string, unknown>)[tail] = value;
    else s[head] = value;
  };
  const cases: [string, (s: Record<string, unknown>) => void, string][] = [
    [
      "duplicate after trim/upper-case",
      set("nonLoyaltyCategoryCodes", ["CASH", " cash "]),
      "settings.nonLoyaltyCategoryCodes.1",
    ],
    [
      "duplicate staff code",
      set("staffLoyaltyCategoryCodes", ["A", "B", "b"]),
      "settings.staffLoyaltyCategoryCodes.2",
    ],
    ["blank code", set("nonLoyaltyCategoryCodes", ["  "]), "settings.nonLoyaltyCategoryCodes.0"],
    ["point value 0", set("pointValue", 0), "settings.pointValue"],
    ["point value 1.5", set("pointValue", 1.5), "settings.pointValue"],
    ['point value "2"', set("pointValue", "2"), "settings.pointValue"],
    [
      'points on points "yes"',
      set("pointsEarnedOnPartPaidWithPoints", "yes"),
      "settings.pointsEarnedOnPartPaidWithPoints",
    ],
    [
      "long code",
      set("nonLoyaltyCategoryCodes", ["X".repeat(21)]),
      "settings.nonLoyaltyCategoryCodes.0",
    ],
    [
      "codes not a list",
      set("staffLoyaltyCategoryCodes", "STAFF"),
      "settings.staffLoyaltyCategoryCodes",
    ],
    ["blank account type", set("defaultAccountType", "  "), "settings.defaultAccountType"],
    ["price level 0", set("wholesale.priceLevel", 0), "settings.wholesale.priceLevel"],
    ["price level 6", set("wholesale.priceLevel", 6), "settings.wholesale.priceLevel"],
    ["price level 2.5", set("wholesale.priceLevel", 2.5), "settings.wholesale.priceLevel"],
    ['price level "2"', set("wholesale.priceLevel", "2"), "settings.wholesale.priceLevel"],
    ...[0, -1, 1.5, "3"].flatMap((v): [string, (s: Record<string, unknown>) => void, string][] => [
      [`till number ${v}`, set("wholesale.tillNumber", v), "settings.wholesale.tillNumber"],
      [
        `operator number ${v}`,
        set("wholesale.operatorNumber", v),
        "settings.wholesale.operatorNumber",
      ],
    ]),
    ["wholesale location 0", set("wholesale.location", 0), "settings.wholesale.location"],
    ["long till code", set("wholesale.tillCode", "T".repeat(21)), "settings.wholesale.tillCode"],
    [
      "staff location -1",
      set("staffLoyaltyDefaultLocation", -1),
      "settings.staffLoyaltyDefaultLocation",
    ],
    ["max accounts -1", set("maxAccountsPerCustomer", -1), "settings.maxAccountsPerCustomer"],
    ["max accounts 1.5", set("maxAccountsPerCustomer", 1.5), "settings.maxAccountsPerCustomer"],
    ['max accounts "2"', set("maxAccountsPerCustomer", "2"), "settings.maxAccountsPerCustomer"],
    ["rounding sometimes", set("roundingRule", "sometimes"), "settings.roundingRule"],
    ["unknown key", set("pointsPerEuro", 2), "settings.pointsPerEuro"],
    ["unknown wholesale key", set("wholesale.discount", 5), "settings.wholesale.discount"],
    ["four category names", set("categoryNames", ["a", "b", "c", "d"]), "settings.categoryNames"],
    [
      "long category name",
      set("categoryNames", ["a", "b", "c".repeat(41), "d", "e"]),
      "settings.categoryNames.2",
    ],
    [
      "long reference match",
      set("keyLineTotalReferenceMatch", "R".repeat(21)),
      "settings.keyLineTotalReferenceMatch",
    ],
    ["missing setting", (s) => delete s.sendNewMemberEmail, "settings.sendNewMemberEmail"],
    ...(Object.keys(DEFAULT_SETTINGS) as (keyof LoyaltySettings)[])
      .filter((k) => typeof DEFAULT_SETTINGS[k] === "boolean")
      .map((k): [string, (s: Record<string, unknown>) => void, string] => [
        `${k} "true"`,
        set(k, "true"),
        `settings.${k}`,
      ]),
  ];
  const failures: string[] = [];
  for (const [name, change, field] of cases) {
    const res = await call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
      version,
      settings: changed(settings, change),
    });
    const fields = (res.json.errors ?? []).map((e: { field: string }) => e.field);
    if (res.status !== 422 || !fields.includes(field) || !/problem\+json/.test(res.type)) {
      failures.push(`${name}: ${res.status} ${JSON.stringify(fields)}, expected ${field}`);
    }
  }
  for (
    const [name, body, field] of [
      ["version 0", { version: 0, settings }, "version"],
      ['version "1"', { version: String(version), settings }, "version"],
      ["no settings", { version }, "settings"],
      ["extra body key", { version, settings, note: "hi" }, "note"],
    ] as const
  ) {
    const res = await call(tokens["a-marketing"], "PUT", settingsPath(A.group), body);
    const fields = (res.json.errors ?? []).map((e: { field: string }) => e.field);
    if (res.status !== 422 || !fields.includes(field)) {
      failures.push(`${name}: ${res.status} ${JSON.stringify(fields)}, expected ${field}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal((await read()).version, version, "version unchanged");
  assert.deepEqual((await read()).settings, settings, "settings unchanged");
  assert.equal((await settingsAudit()).length, auditBefore, "no audit entry");
});

Deno.test("a save that changes nothing keeps the version and writes no audit entry", async () => {
  const { version, settings } = await read();
  const auditBefore = (await settingsAudit()).length;
  const res = await call(tokens["a-admin"], "PUT", settingsPath(A.group), { version, settings });
  assert.equal(res.status, 200);
  assert.equal(res.json.version, version);
  // Different spelling, same normalized value: still no change.
  const spelled = changed(settings, (s) => {
    s.defaultAccountType = ` ${settings.defaultAccountType.toLowerCase()} `;
  });
  const again = await call(tokens["a-admin"], "PUT", settingsPath(A.group), {
    version,
    settings: spelled,
  });
  assert.equal(again.json.version, version);
  assert.equal((await settingsAudit()).length, auditBefore);
});

Deno.test("a stale save is refused with 409 stale-version carrying the current version and settings", async () => {
  const { version, settings } = await read();
  const first = await call(tokens["a-admin"], "PUT", settingsPath(A.group), {
    version,
    settings: changed(settings, (s) => s.showKeyLineTotal = !settings.showKeyLineTotal),
  });
  assert.equal(first.status, 200);
  const auditBefore = (await settingsAudit()).length;
  const stale = await call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
    version,
    settings: changed(settings, (s) => s.sendNewMemberEmail = !settings.sendNewMemberEmail),
  });
  assert.equal(stale.status, 409);
  assert.match(stale.type, /problem\+json/);
  assert.equal(stale.json.type, "https://loyalty-edge.dev/problems/stale-version");
  assert.equal(stale.json.version, version + 1);
  assert.deepEqual(stale.json.settings, first.json.settings);
  assert.deepEqual(await read(), first.json, "the refused save changed nothing");
  assert.equal((await settingsAudit()).length, auditBefore);
  const ahead = await call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
    version: version + 50,
    settings,
  });
  assert.equal(ahead.status, 409, "a version from the future is stale too");
});

Deno.test("concurrency: two staff save from the same version → one 200, one 409, one audit entry", async () => {
  for (let round = 0; round < 5; round++) {
    const { version, settings } = await read();
    const auditBefore = (await settingsAudit()).length;
    const [x, y] = await Promise.all([
      call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
        version,
        settings: changed(settings, (s) => s.maxAccountsPerCustomer = 10 + round),
      }),
      call(tokens["a-marketing2"], "PUT", settingsPath(A.group), {
        version,
        settings: changed(settings, (s) => s.keyLineTotalReferenceMatch = `R${round}`),
      }),
    ]);
    assert.deepEqual([x.status, y.status].sort(), [200, 409], `round ${round}`);
    const [won, lost] = x.status === 200 ? [x, y] : [y, x];
    assert.equal(won.json.version, version + 1);
    assert.equal(lost.json.version, version + 1, "the 409 names the current version");
    assert.deepEqual(lost.json.settings, won.json.settings);
    assert.deepEqual(await read(), won.json);
    const entries = await settingsAudit();
    assert.equal(entries.length, auditBefore + 1, "exactly one audit entry");
  }
});

Deno.test("concurrency in the service: of ten saves from one version exactly one lands", async () => {
  const group = (await getGroup(t.db, A.group.id))!;
  const actor = await t.db.selectFrom("staff_users").select("id").where(
    "email",
    "=",
    "a-admin@example.com",
  )
    .executeTakeFirstOrThrow();
  const staff = (await findStaffById(t.db, actor.id))!;
  const current = await getSettings(t.db, group);
  const auditBefore = (await settingsAudit()).length;
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      saveSettings(t.db, group, {
        version: current.version,
        settings: { ...current.settings, maxAccountsPerCustomer: 100 + i },
      }, staff)),
  );
  const ok = results.filter((r) => r.status === "fulfilled");
  assert.equal(ok.length, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.equal(r.reason.slug, "stale-version");
  }
  assert.equal((await getSettings(t.db, group)).version, current.version + 1);
  assert.equal((await settingsAudit()).length, auditBefore + 1);
});

Deno.test("roles: marketing and admin save, support reads but gets 403 on PUT, strangers 401/404", async () => {
  const { version, settings } = await read();
  const support = await call(tokens["a-support"], "PUT", settingsPath(A.group), {
    version,
    settings,
  });
  assert.equal(support.status, 403);
  assert.match(support.type, /problem\+json/);
  assert.equal((await call(tokens["a-support"], "GET", settingsPath(A.group))).status, 200);
  assert.equal((await call(null, "GET", settingsPath(A.group))).status, 401);
  for (const who of ["a-marketing", "a-admin"]) {
    const { version, settings } = await read();
    const res = await call(tokens[who], "PUT", settingsPath(A.group), {
      version,
      settings: changed(
        settings,
        (s) => s.calcPointsOnDiscountedItems = !settings.calcPointsOnDiscountedItems,
      ),
    });
    assert.equal(res.status, 200, who);
  }
});

Deno.test("tenant isolation: another organization's staff get 404 and never see the entries", async () => {
  const before = await read();
  const auditBefore = (await settingsAudit()).length;
  const get = await call(tokens["b-admin"], "GET", settingsPath(A.group));
  assert.equal(get.status, 404);
  const put = await call(tokens["b-admin"], "PUT", settingsPath(A.group), before);
  assert.equal(put.status, 404);
  assert.match(put.type, /problem\+json/);
  assert.deepEqual(await read(), before);
  assert.equal((await settingsAudit()).length, auditBefore);
  for (const id of ["not-a-uuid", crypto.randomUUID()]) {
    assert.equal((await call(owner, "GET", `/merchant-groups/${id}/settings`)).status, 404, id);
  }

  const theirs = await call(tokens["b-admin"], "GET", "/audit?limit=200");
  assert.equal(theirs.status, 200);
  assert.ok(theirs.json.items.length > 0, "B sees its own entries");
  assert.ok(
    theirs.json.items.every((e: { organizationId: string }) => e.organizationId === B.org.id),
  );
  const byEntity = await call(
    tokens["b-admin"],
    "GET",
    `/audit?entity=loyalty-settings&entityId=${A.group.id}`,
  );
  assert.deepEqual(byEntity.json.items, []);
  const asked = await call(tokens["b-admin"], "GET", `/audit?organizationId=${A.org.id}`);
  assert.equal(asked.status, 404);
  // B's own settings are untouched by all of A's saves.
  assert.deepEqual(await read(B.group), { version: 1, settings: DEFAULT_SETTINGS });
});

// ---- the console page ----

/** The fields a browser would submit from the first form posting to `action`. */
function formFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `form ${action} on the page`);
  const form = html.slice(start, html.indexOf("</form>", start));
  const attr = (tag: string, name: string) =>
    new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll("&quot;", '"')
      .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  const out: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, "name");
    if (!name || /\sdisabled/.test(tag)) continue;
    if (attr(tag, "type") === "checkbox") {
      if (/\schecked/.test(tag)) out[name] = "on";
    } else out[name] = attr(tag, "value") ?? "";
  }
  for (const [, open, body] of form.matchAll(/<select\b([^>]*)>(.*?)<\/select>/gs)) {
    const name = attr(open, "name")!;
    const selected = /<option\b[^>]*\sselected[^>]*>/.exec(body)?.[0] ??
      /<option\b[^>]*>/.exec(body)![0];
    out[name] = attr(selected, "value")!;
  }
  return out;
}

async function page(session: { cookie: string }, path: string) {
  const res = await t.request(path, { headers: { Cookie: session.cookie } });
  return { status: res.status, html: await res.text() };
}

async function postForm(
  session: { cookie: string; csrf: string },
  path: string,
  fields: Record<string, string>,
) {
  return await t.request(path, {
    method: "POST",
    headers: {
      Cookie: session.cookie,
      Origin: ORIGIN,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ ...fields, _csrf: session.csrf }),
  });
}

Deno.test("the settings page renders every field with its help, grouped as seed 004", async () => {
  const session = await signIn(t, "a-marketing@example.com");
  const { status, html } = await page(session, `/console/settings?group=${A.group.id}`);
  assert.equal(status, 200);
  for (const legend of ["Categories", "Customers and loyalty", "Wholesale"]) {
    assert.match(html, new RegExp(`<legend>${legend}</legend>`));
  }
  const fields = formFields(html, `/console/settings/${A.group.id}`);
  const expected = [
    ...[0, 1, 2, 3, 4].map((i) => `categoryNames.${i}`),
    ...Object.keys(SETTING_TEXT).filter((k) => k !== "categoryNames"),
  ];
  for (const name of expected) {
    assert.match(html, new RegExp(`name="${name.replace(".", "\\.")}"`), name);
  }
  for (const { help } of Object.values(SETTING_TEXT)) {
    assert.ok(html.includes(help.replaceAll("'", "&#39;")) || html.includes(help), help);
  }
  assert.equal(fields.version, String((await read()).version));
  assert.equal(fields._csrf, session.csrf);
  assert.match(html, /Save settings/);
});

Deno.test("saving through the form changes the version and shows up on /console/audit", async () => {
  const session = await signIn(t, "a-marketing@example.com");
  const action = `/console/settings/${A.group.id}`;
  const before = await read();
  const fields = formFields(
    (await page(session, `/console/settings?group=${A.group.id}`)).html,
    action,
  );

  const unchanged = await postForm(session, action, fields);
  assert.equal(unchanged.status, 303);
  assert.equal((await read()).version, before.version, "an untouched form saves nothing");

  const saved = await postForm(session, action, {
    ...fields,
    "wholesale.priceLevel": "4",
    staffLoyaltyCategoryCodes: "emp, mgr",
    "wholesale.tillNumber": "1245",
    showKeyLineTotal: "on",
    pointsEarnedOnPartPaidWithPoints: "on",
  });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get("Location"), `/console/settings?group=${A.group.id}`);
  const after = await read();
  assert.equal(after.version, before.version + 1);
  assert.equal(after.settings.wholesale.priceLevel, 4);
  assert.equal(after.settings.wholesale.tillNumber, 1245);
  assert.deepEqual(after.settings.staffLoyaltyCategoryCodes, ["EMP", "MGR"]);
  assert.equal(after.settings.showKeyLineTotal, true);
  assert.equal(after.settings.pointsEarnedOnPartPaidWithPoints, true);

  const flash = saved.headers.getSetCookie().find((c) => c.startsWith("le_flash="))!.split(";")[0];
  const shown = await t.request(`/console/settings?group=${A.group.id}`, {
    headers: { Cookie: `${session.cookie}; ${flash}` },
  });
  assert.match(await shown.text(), new RegExp(`now at version ${after.version}`));

  const audit = await page(session, `/console/audit?entity=loyalty-settings`);
  assert.equal(audit.status, 200);
  assert.match(
    audit.html,
    /<span class="field">Wholesale price level<\/span>: <span class="before">\d<\/span> → <span class="after">4<\/span>/,
  );
  assert.match(
    audit.html,
    /<span class="field">Customer types that are staff<\/span>: <span class="before">[^<]*<\/span> → <span class="after">EMP, MGR<\/span>/,
  );
  assert.match(audit.html, /a-marketing@example\.com/);
});

Deno.test("the form shows errors next to each field and a stale save offers a reload", async () => {
  const session = await signIn(t, "a-admin@example.com");
  const action = `/console/settings/${A.group.id}`;
  const before = await read();
  const auditBefore = (await settingsAudit()).length;
  const fields = formFields(
    (await page(session, `/console/settings?group=${A.group.id}`)).html,
    action,
  );

  const bad = await postForm(session, action, {
    ...fields,
    "wholesale.tillNumber": "0",
    "wholesale.operatorNumber": "1.5",
    maxAccountsPerCustomer: "lots",
    nonLoyaltyCategoryCodes: "cash, CASH",
  });
  assert.equal(bad.status, 422);
  const html = await bad.text();
  for (
    const name of [
      "wholesale.tillNumber",
      "wholesale.operatorNumber",
      "maxAccountsPerCustomer",
      "nonLoyaltyCategoryCodes",
    ]
  ) {
    assert.match(html, new RegExp(`id="${name.replace(".", "\\.")}-error"`), name);
  }
  assert.match(html, /CASH: listed twice/);
  assert.match(html, /value="lots"/, "what was typed is kept");
  assert.deepEqual(await read(), before);

  await call(tokens["a-marketing"], "PUT", settingsPath(A.group), {
    version: before.version,
    settings: changed(
      before.settings,
      (s) => s.sendNewMemberEmail = !before.settings.sendNewMemberEmail,
    ),
  });
  const stale = await postForm(session, action, { ...fields, "wholesale.priceLevel": "5" });
  assert.equal(stale.status, 409);
  const staleHtml = await stale.text();
  assert.match(
    staleHtml,
    new RegExp(`<a href="/console/settings\\?group=${A.group.id}">Reload the current settings</a>`),
  );
  assert.match(staleHtml, new RegExp(`now at version\\s+${before.version + 1}`));
  assert.equal((await read()).settings.wholesale.priceLevel, before.settings.wholesale.priceLevel);
  assert.equal((await settingsAudit()).length, auditBefore + 1, "only the API save was logged");
});

Deno.test("support sees the settings read-only and cannot post the form", async () => {
  const session = await signIn(t, "a-support@example.com");
  const { status, html } = await page(session, "/console/settings");
  assert.equal(status, 200);
  assert.match(html, /can read these settings but not change them/);
  assert.doesNotMatch(html, /Save settings/);
  assert.match(html, /name="defaultAccountType"[^>]*disabled/);
  const refused = await postForm(session, `/console/settings/${A.group.id}`, { version: "1" });
  assert.equal(refused.status, 403);

  const stranger = await signIn(t, "b-admin@example.com");
  assert.equal((await page(stranger, `/console/settings?group=${A.group.id}`)).status, 404);
  const own = await page(stranger, "/console/settings");
  assert.match(own.html, /Bolt Rewards/);
  assert.doesNotMatch(own.html, /Acme Rewards/);
});

Deno.test("the owner, who sees several groups, chooses one", async () => {
  const session = await signIn(t, "owner@example.com");
  const { html } = await page(session, "/console/settings");
  assert.match(html, /<select name="group">/);
  assert.match(html, /Acme · Acme Rewards/);
  assert.match(html, /Bolt · Bolt Rewards/);
  const chosen = await page(session, `/console/settings?group=${B.group.id}`);
  assert.match(chosen.html, new RegExp(`action="/console/settings/${B.group.id}"`));
});

Deno.test({ name: "close the test app", fn: () => t.close() });
