/**
 * Every report figure recomputed from the raw rows of a generated month (sales, returns,
 * adjustments, cards), with and without the store and category filters; the CSV equals the
 * table; the admin API's filters, refusals and tenancy. On PGlite or Postgres.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { todayIn } from "../../calendar/zones.ts";
import { seriesLiabilities } from "../../instruments/accounts.ts";
import { getSettings } from "../../programme/settings.ts";
import { memberActivity } from "../../reports/activity.ts";
import { addDays, parseFilters, type ReportFilters, reportScope } from "../../reports/filters.ts";
import { liabilityByDay, pointsWorth } from "../../reports/liability.ts";
import { memberSpend } from "../../reports/members.ts";
import { pointsByDay } from "../../reports/points.ts";
import { reportContext, runReport } from "../../reports/report.ts";
import { plainCell, REPORT_NAMES, tableCsv } from "../../reports/tables.ts";
import { topRules } from "../../reports/top_rules.ts";
import { addMember, adminCall, bearerFor, createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { generateMonth } from "../helpers/month.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const month = await generateMonth(t, { name: "Month", salesPerDay: 5 });
const w = month.world;
const scope = await reportScope(t.db, w.group);
const { settings } = await getSettings(t.db, w.group);
const period: ReportFilters = { from: month.from, to: month.to };
const other = await buildWorld(t, { name: "Elsewhere", staff: { "x-admin": "admin" } });

function test(name: string, fn: () => Promise<void>) {
  Deno.test(`${name} (${testBackend})`, async () => {
    await fn();
    await assertLedgerSound(t.db);
  });
}

/** The raw rows the figures come from, read once per test. */
async function raw() {
  const sales = await t.db.selectFrom("sales").selectAll().where("group_id", "=", w.group.id)
    .execute();
  const customers = await t.db.selectFrom("customers").selectAll()
    .where("group_id", "=", w.group.id).execute();
  // The customer side of every points movement: what each transaction did to members' points.
  const moves = (await sql<{
    reference: string;
    sale_id: string | null;
    at: Date;
    pos_id: string | null;
    customer_id: string;
    amount: string;
  }>`select t.reference, t.sale_id, t.at, t.pos_id, a.customer_id, e.amount::text
    from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
    join ledger_accounts a on a.id = e.account_id
    where t.group_id = ${w.group.id}::uuid and a.customer_id is not null and a.unit = 'PTS'`
    .execute(t.db)).rows;
  const store = new Map(w.tills.map((p) => [p.id, w.stores.find((s) => s.id === p.store_id)!]));
  const saleOf = new Map(sales.map((s) => [s.id, s]));
  const dayOf = (m: (typeof moves)[number]) => {
    const sale = m.sale_id ? saleOf.get(m.sale_id) : undefined;
    if (sale) return sale.trading_day;
    const zone = m.pos_id ? store.get(m.pos_id)!.timezone : w.stores[0].timezone;
    return todayIn(zone, new Date(m.at));
  };
  const typeOf = new Map(customers.map((c) => [c.id, c.categories[0]]));
  return { sales, customers, moves, saleOf, dayOf, typeOf };
}

const inPeriod = (day: string, f: ReportFilters) => day >= f.from && day <= f.to;

test("the month is a real one: sales in both stores, returns, adjustments, points spent", async () => {
  const r = await raw();
  assert.ok(month.counts.sales >= 200, `${month.counts.sales} sales`);
  assert.ok(month.counts.returns >= 10, `${month.counts.returns} returns`);
  assert.equal(month.counts.adjustments, 5);
  assert.equal(new Set(r.sales.map((s) => s.store_id)).size, 2);
  assert.ok(r.sales.some((s) => s.points_redeemed > 0), "some sales are paid with points");
  assert.ok(r.sales.some((s) => s.kind === "sale" && !s.member), "some non-member sales");
});

for (
  const [label, filters] of [
    ["the month", {}],
    ["store 2", { storeId: month.stores[1].id }],
    ["GOLD customers", { category: "GOLD" }],
    ["a week of store 1's SILVER customers", {
      storeId: month.stores[0].id,
      category: "SILVER",
      from: addDays(month.to, -6),
    }],
  ] as const
) {
  const f: ReportFilters = { ...period, ...filters };
  const keep = (storeId: string | null, customerId: string | null, typeOf: Map<string, string>) =>
    (!f.storeId || storeId === f.storeId) &&
    (!f.category || (customerId !== null && typeOf.get(customerId) === f.category));

  test(`points per day from the members' side of the ledger: ${label}`, async () => {
    const r = await raw();
    const want = new Map<string, Record<string, number>>();
    for (const m of r.moves) {
      const day = r.dayOf(m);
      const sale = m.sale_id ? r.saleOf.get(m.sale_id) : undefined;
      if (!inPeriod(day, f) || !keep(sale?.store_id ?? null, m.customer_id, r.typeOf)) continue;
      const d = want.get(day) ?? { issued: 0, reversed: 0, redeemed: 0, refunded: 0, adjusted: 0 };
      const amount = Number(m.amount);
      if (m.reference === "ADJUST") d.adjusted += amount;
      else if (sale?.kind === "return") amount < 0 ? d.reversed -= amount : d.refunded += amount;
      else amount > 0 ? d.issued += amount : d.redeemed -= amount;
      want.set(day, d);
    }
    const got = await pointsByDay(t.db, scope, f);
    assert.equal(got[0].day, f.from);
    assert.equal(got.at(-1)!.day, f.to);
    for (const g of got) {
      const d = want.get(g.day) ??
        { issued: 0, reversed: 0, redeemed: 0, refunded: 0, adjusted: 0 };
      const net = d.issued - d.reversed - d.redeemed + d.refunded + d.adjusted;
      assert.deepEqual(g, { day: g.day, ...d, net }, g.day);
    }
    if (!f.storeId && !f.category) {
      assert.ok(got.some((g) => g.adjusted !== 0) && got.some((g) => g.reversed > 0));
    }
  });

  test(`member and non-member spend per store and day from the sales rows: ${label}`, async () => {
    const r = await raw();
    const want = new Map<string, number[]>();
    for (const s of r.sales) {
      if (!inPeriod(s.trading_day, f) || !keep(s.store_id, s.customer_id, r.typeOf)) continue;
      const key = `${s.trading_day} ${s.store_id}`;
      const d = want.get(key) ?? [0, 0, 0, 0];
      const value = s.kind === "sale" ? s.total : -s.total;
      const base = s.member ? 0 : 2;
      if (s.kind === "sale") d[base]++;
      d[base + 1] += value;
      want.set(key, d);
    }
    const got = await memberSpend(t.db, scope, f, "EUR");
    assert.equal(got.rows.length, want.size);
    let member = 0, all = 0;
    for (const g of got.rows) {
      assert.deepEqual(
        [g.memberTransactions, g.memberSpend, g.nonMemberTransactions, g.nonMemberSpend],
        want.get(`${g.day} ${g.storeId}`),
      );
      member += g.memberSpend;
      all += g.memberSpend + g.nonMemberSpend;
    }
    assert.equal(got.memberShare, all ? member / all : null);
    if (!f.category && f.from === period.from) {
      // The counters the sales keep agree with the report on the whole month.
      const counters = await t.db.selectFrom("store_day_statistics").selectAll()
        .where("group_id", "=", w.group.id).where("trading_day", ">=", f.from)
        .where("trading_day", "<=", f.to).execute();
      for (const g of got.rows) {
        const c = counters.find((x) => x.store_id === g.storeId && x.trading_day === g.day)!;
        assert.deepEqual(
          [c.member_count, c.member_total, c.non_member_count, c.non_member_total],
          [g.memberTransactions, g.memberSpend, g.nonMemberTransactions, g.nonMemberSpend],
        );
      }
    }
  });

  test(`active members, visits and new members from the sales and customers: ${label}`, async () => {
    const r = await raw();
    const memberSales = r.sales.filter((s) =>
      s.kind === "sale" && s.member && s.customer_id && inPeriod(s.trading_day, f) &&
      keep(s.store_id, s.customer_id, r.typeOf)
    );
    const got = await memberActivity(t.db, scope, f, settings);
    assert.equal(got.activeMembers, new Set(memberSales.map((s) => s.customer_id)).size);
    assert.equal(got.visits, memberSales.length);
    assert.equal(got.visitsPerMember, got.activeMembers ? got.visits / got.activeMembers : null);
    for (const d of got.days) {
      const of = memberSales.filter((s) => s.trading_day === d.day);
      assert.equal(d.activeMembers, new Set(of.map((s) => s.customer_id)).size, d.day);
      assert.equal(d.visits, of.length, d.day);
    }
    const homeZone = (id: string | null) =>
      w.stores.find((s) => s.id === id)?.timezone ?? w.stores[0].timezone;
    const fresh = r.customers.filter((c) =>
      c.categories[0] !== "CASH" && inPeriod(todayIn(homeZone(c.home_store_id), c.created_at), f) &&
      (!f.storeId || c.home_store_id === f.storeId) &&
      (!f.category || c.categories[0] === f.category)
    );
    assert.equal(got.newMembers, fresh.length);
  });

  test(`top rules from what the lines earned: ${label}`, async () => {
    const r = await raw();
    const sales = new Set(
      r.sales.filter((s) =>
        s.kind === "sale" && inPeriod(s.trading_day, f) && keep(s.store_id, s.customer_id, r.typeOf)
      ).map((s) => s.id),
    );
    const awards = (await t.db.selectFrom("sale_awards").selectAll().where("org_id", "=", w.org.id)
      .execute()).filter((a) => sales.has(a.sale_id));
    const want = new Map<string, { points: number; sales: Set<string> }>();
    for (const a of awards) {
      const x = want.get(a.rule_id) ?? { points: 0, sales: new Set() };
      x.points += a.points;
      x.sales.add(a.sale_id);
      want.set(a.rule_id, x);
    }
    const got = await topRules(t.db, scope, f);
    assert.equal(got.length, want.size);
    for (const g of got) {
      assert.equal(g.points, want.get(g.ruleId)!.points, g.ruleId);
      assert.equal(g.sales, want.get(g.ruleId)!.sales.size, g.ruleId);
    }
    assert.deepEqual(got.map((g) => g.points), got.map((g) => g.points).sort((a, b) => b - a));
    if (!f.storeId && !f.category) {
      assert.equal(got.find((g) => g.ruleId === "one-point-per-eur")?.name, "1 point per EUR");
    }
  });
}

test("liability: members' points and the cards' money owed at the end of each day", async () => {
  const r = await raw();
  const got = await liabilityByDay(t.db, scope, period, { currency: "EUR", pointValue: 3 });
  for (const [i, day] of got.days.entries()) {
    const owed = r.moves.filter((m) => r.dayOf(m) <= day).reduce((s, m) => s + Number(m.amount), 0);
    assert.equal(got.points[i], owed, day);
    assert.equal(got.pointsMoney[i], pointsWorth(owed, 3));
  }
  // The last day is today: what the members hold now, what the cards hold now.
  const balances = await t.db.selectFrom("ledger_accounts").select(
    sql<string>`sum(balance)`.as("b"),
  )
    .where("group_id", "=", w.group.id).where("code", "=", "POINTS")
    .where("customer_id", "is not", null).executeTakeFirstOrThrow();
  assert.equal(got.points.at(-1), Number(balances.b));
  const cards = await seriesLiabilities(t.db, [month.giftCards.id, month.storeCredit.id]);
  for (const s of got.series) assert.equal(s.owed.at(-1), cards.get(s.seriesId)!.outstanding);
  assert.equal(got.series.find((s) => s.seriesId === month.giftCards.id)!.owed.at(-1), 15000);
  const credit = got.series.find((s) => s.seriesId === month.storeCredit.id)!;
  assert.ok(credit.owed.at(-1)! > 0, "returns paid back to store credit");
  // Store credit grew over the month, as returns were paid back to it.
  assert.ok(credit.owed[0] < credit.owed.at(-1)!);
  // GOLD's points: only GOLD members' moves.
  const gold = await liabilityByDay(t.db, scope, { ...period, category: "GOLD" }, {
    currency: "EUR",
    pointValue: 1,
  });
  assert.equal(
    gold.points.at(-1),
    r.moves.filter((m) => r.typeOf.get(m.customer_id) === "GOLD")
      .reduce((s, m) => s + Number(m.amount), 0),
  );
});

test("every report's CSV is its table, value for value, with its header", async () => {
  const ctx = await reportContext(t.db, scope);
  for (const name of REPORT_NAMES) {
    const report = await runReport(t.db, ctx, name, period);
    const lines = tableCsv(report.table).split("\r\n");
    assert.equal(lines.at(-1), "");
    assert.equal(lines.length - 2, report.table.rows.length, name);
    assert.equal(
      lines[0],
      report.table.columns.map((c) => c.includes(",") ? `"${c}"` : c).join(","),
    );
    for (const [i, row] of report.table.rows.entries()) {
      assert.equal(
        lines[i + 1],
        row.map(plainCell).map((v) => /[",]/.test(v) ? `"${v}"` : v).join(","),
      );
    }
    const api = await adminCall(
      t,
      w.ownerToken,
      "GET",
      `/merchant-groups/${w.group.id}/reports/${name}?format=csv&from=${period.from}&to=${period.to}`,
    );
    assert.equal(api.status, 200);
    assert.match(api.type, /^text\/csv/);
    assert.equal(api.json, tableCsv(report.table), name);
    assert.match(api.headers.get("Content-Disposition")!, new RegExp(`-${name}-${period.from}`));
  }
});

test("API: JSON figures with filters, defaults of the last 30 days", async () => {
  const base = `/merchant-groups/${w.group.id}/reports`;
  const points = await adminCall(t, w.ownerToken, "GET", `${base}/points`);
  assert.equal(points.status, 200);
  assert.equal(points.json.to, todayIn(w.stores[0].timezone));
  assert.equal(points.json.from, addDays(points.json.to, -29));
  assert.equal(points.json.points.length, 30);
  const want = await pointsByDay(t.db, scope, { from: points.json.from, to: points.json.to });
  assert.deepEqual(
    points.json.points.map((d: { issued: number }) => d.issued),
    want.map((d) => d.issued / 100),
  );
  const store2 = await adminCall(
    t,
    w.ownerToken,
    "GET",
    `${base}/members?store=${month.stores[1].id}&category=GOLD&from=${period.from}`,
  );
  assert.equal(store2.status, 200);
  assert.equal(store2.json.storeId, month.stores[1].id);
  assert.equal(store2.json.category, "GOLD");
  assert.ok(store2.json.members.rows.length > 0);
  assert.ok(
    store2.json.members.rows.every((r: { storeId: string }) => r.storeId === month.stores[1].id),
  );
  for (const name of REPORT_NAMES) {
    const res = await adminCall(t, w.ownerToken, "GET", `${base}/${name}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.json.report, name);
  }
});

test("API: a bad filter is a 422 naming the field, a group of another organization is hidden", async () => {
  const base = `/merchant-groups/${w.group.id}/reports`;
  for (
    const [query, field] of [
      ["from=2026-02-30", "from"],
      ["to=yesterday", "to"],
      ["from=2026-03-10&to=2026-03-01", "to"],
      ["from=2024-01-01&to=2026-01-01", "to"],
      [`store=${other.store.id}`, "store"],
      ["store=nope", "store"],
      ["category=" + "X".repeat(21), "category"],
      ["format=xml", "format"],
    ]
  ) {
    const res = await adminCall(t, w.ownerToken, "GET", `${base}/points?${query}`);
    assert.equal(res.status, 422, query);
    assert.deepEqual(res.json.errors.map((e: { field: string }) => e.field), [field], query);
  }
  const foreign = await adminCall(
    t,
    other.staff["x-admin"].token,
    "GET",
    `${base}/points`,
  );
  assert.ok([403, 404].includes(foreign.status), String(foreign.status));
  const unknown = await adminCall(t, w.ownerToken, "GET", `${base}/nothing`);
  assert.ok([404, 422].includes(unknown.status));
});

test("API: marketing and support of the organization read the reports", async () => {
  for (const role of ["marketing", "support"] as const) {
    const email = `${role}-reports@example.com`;
    await addMember(t, w.org.id, role, email);
    const res = await adminCall(
      t,
      await bearerFor(t, email),
      "GET",
      `/merchant-groups/${w.group.id}/reports/liability`,
    );
    assert.equal(res.status, 200, role);
    assert.equal(res.json.liability.days.length, 30);
  }
});

test("parseFilters: an empty field is the default; without to, the period ends today", () => {
  const now = new Date("2026-03-31T12:00:00Z");
  assert.deepEqual(parseFilters(scope, { from: "", to: "" }, now), {
    from: "2026-03-02",
    to: "2026-03-31",
    storeId: undefined,
    category: undefined,
  });
  assert.equal(parseFilters(scope, { from: "2026-03-20" }, now).to, "2026-03-31");
  assert.equal(parseFilters(scope, { to: "2026-02-28" }, now).from, "2026-01-30");
  assert.throws(() => parseFilters(scope, { from: "2026-04-10" }, now), /not valid/);
  return Promise.resolve();
});

Deno.test({ name: "close the test app", fn: () => t.close() });
