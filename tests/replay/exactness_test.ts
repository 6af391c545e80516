/**
 * A replay is exact. Over generated histories — sales each priced (by the engine, as at the
 * till) under one of two published versions or none, each under its own settings — and rule
 * sets (the two versions, and a draft mixing their rules: kept, new conditions, new events,
 * switched off, new priorities, dropped, added):
 *
 * - a sale re-priced with the version that priced it gives its recorded points and awards;
 * - every shortcut of replay/reprice.ts (firing taken as recorded, the engine's answers
 *   remembered per value set, staff discounts never asked) equals a full re-pricing with
 *   `evaluate`, for every side and every sale.
 *
 * The same properties then hold on the database (PGlite, or Postgres with TEST_DATABASE_URL):
 * sales recorded through the POS under generated rule sets and settings, replayed by
 * `replayImpact`, whose figures are the sums of full re-pricings of the recorded sales.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { evaluate } from "../../rules/evaluate.ts";
import { prepare } from "../../rules/context.ts";
import { factReader } from "../../rules/plain.ts";
import { parseRuleSet, type Rule } from "../../rules/schema.ts";
import { type RecordedVersion, Repricer } from "../../replay/reprice.ts";
import { recordedPricing } from "../../sales/recorded_pricing.ts";
import { getDraft, saveDraft } from "../../earning/rule_sets.ts";
import { createCustomer } from "../../members/customers.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { replayImpact } from "../../replay/impact.ts";
import { SaleReplayer } from "../../replay/replayer.ts";
import type { RecordedPricing } from "../../sales/recorded_pricing.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld, posCall, publishRules } from "../helpers/world.ts";
import { basketArb, ruleSetArb, settingsArb } from "../rules/arbitraries.ts";

type Doc = Record<string, unknown> & { id: string; event: { type: string; params?: unknown } };

/** A rule set mixing two: per index, A's rule, B's, or A's with one part of B's. */
const mixArb = (a: Doc[], b: Doc[]) =>
  fc.array(fc.constantFrom("a", "b", "conditions", "event", "enabled", "priority", "drop"), {
    minLength: Math.max(a.length, b.length),
    maxLength: Math.max(a.length, b.length),
  }).map((choices) =>
    choices.flatMap((choice, i): Doc[] => {
      const x = a[i];
      const y = b[i];
      if (!x) return y && choice !== "drop" ? [y] : [];
      if (choice === "drop") return [];
      if (choice === "a" || !y) return [x];
      if (choice === "b") return [y];
      if (choice === "enabled") return [{ ...x, enabled: !x.enabled }];
      return [{ ...x, [choice]: y[choice] }];
    })
  );

const parsed = (docs: unknown[]): Rule[] | null => {
  const r = parseRuleSet(docs);
  return r.success ? r.data : null;
};

const historyArb = fc.record({ a: ruleSetArb(8), b: ruleSetArb(8) }).chain(({ a, b }) =>
  fc.record({
    v1: fc.constant(parsed(a)!),
    v2: mixArb(a as Doc[], b as Doc[]).map(parsed),
    draft: mixArb(a as Doc[], b as Doc[]).map(parsed),
    sales: fc.array(
      fc.record({
        basket: basketArb,
        settings: settingsArb,
        version: fc.constantFrom<RecordedVersion>(1, 2, null),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
).filter((h) => h.v2 !== null && h.draft !== null);

Deno.test("property: re-pricing is exact — the recorded points, and a full evaluate", async () => {
  const used = { recorded: 0, remembered: 0, engine: 0 };
  await fc.assert(
    fc.asyncProperty(historyArb, async (h) => {
      const versions = new Map<RecordedVersion, readonly Rule[]>([
        [null, []],
        [1, h.v1],
        [2, h.v2!],
      ]);
      const sides = [h.v1, h.v2!, h.draft!];
      const repricers = sides.map((rules) => new Repricer(rules, versions));
      // Each sale is replayed twice, so remembered answers are used as well as computed.
      for (const sale of [...h.sales, ...h.sales]) {
        const rules = versions.get(sale.version)!;
        const recorded = await evaluate(rules, sale.basket, sale.settings);
        const pricing = recordedPricing(sale.basket, sale.settings, recorded);
        const ctx = prepare(pricing.basket, pricing.settings);
        const read = factReader(ctx);
        const fired = new Set(pricing.fired);
        for (const [i, repricer] of repricers.entries()) {
          const replayed = await repricer.reprice(ctx, read, sale.version, fired);
          const full = await evaluate(sides[i], sale.basket, sale.settings);
          assert.deepEqual(replayed.awards, full.awards, `side ${i}`);
          assert.equal(replayed.points, full.points);
          assert.deepEqual(replayed.lines, full.lines);
          if (rules === sides[i]) {
            assert.equal(replayed.points, recorded.points, "the version that priced it");
            assert.deepEqual(replayed.awards, recorded.awards);
          }
        }
      }
      for (const r of repricers) {
        for (const k of ["recorded", "remembered", "engine"] as const) used[k] += r.stats[k];
      }
    }),
    { numRuns: 150 },
  );
  // Every shortcut was taken, and the engine still asked.
  assert.ok(used.recorded > 0 && used.remembered > 0 && used.engine > 0, JSON.stringify(used));
});

// ---- on the database: sales recorded through the POS, replayed by replayImpact ----

const t = await createTestApp();
let worlds = 0;

const posLineArb = fc.record({
  sku: fc.constantFrom("A1", "A2", "B1"),
  category: fc.constantFrom("SHOES", "SOCKS", "HATS"),
  quantity: fc.integer({ min: 1, max: 4 }),
  unitPrice: fc.integer({ min: 1, max: 9000 }),
  off: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, fc.integer({ min: 1, max: 500 })),
}).map(({ off, ...l }) => ({
  ...l,
  ...(off > 0 && off <= l.quantity * l.unitPrice
    ? { discounts: [{ kind: "item" as const, amount: off }] }
    : {}),
}));

/** A rule every member sale fires, so that histories earn points. */
const base = (pointsPerUnit: number): Doc => ({
  id: "base",
  name: "base",
  enabled: true,
  priority: 10,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event: { type: "basic-points", params: { pointsPerUnit } },
});

const dbHistoryArb = fc.record({
  a: ruleSetArb(5).map((docs) => [base(1), ...docs as Doc[]]),
  b: ruleSetArb(5).map((docs) => [base(2), ...docs as Doc[]]),
  customers: fc.array(
    fc.array(fc.constantFrom("GOLD", "SILVER", "CASH", "STAFF"), {
      minLength: 1,
      maxLength: 3,
    }),
    { minLength: 1, maxLength: 3 },
  ),
}).chain(({ a, b, customers }) =>
  fc.record({
    v1: fc.constant(parsed(a)!),
    v2: mixArb(a as Doc[], b as Doc[]).map(parsed),
    draft: mixArb(a as Doc[], b as Doc[]).map(parsed),
    customers: fc.constant(customers),
    // Each sale: under which published version (0: none yet), who, what, its settings.
    sales: fc.array(
      fc.record({
        phase: fc.constantFrom(0, 1, 2),
        customer: fc.option(fc.nat(customers.length - 1), { nil: null, freq: 4 }),
        lines: fc.array(posLineArb, { minLength: 1, maxLength: 4 }),
        change: fc.integer({ min: 0, max: 300 }),
        settings: settingsArb,
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
).filter((h) => h.v2 !== null && h.draft !== null);

Deno.test(`property on ${testBackend}: replayImpact re-prices recorded sales exactly`, async () => {
  let earned = 0;
  let shortcuts = 0;
  await fc.assert(
    fc.asyncProperty(dbHistoryArb, async (h) => {
      const w = await buildWorld(t, { name: `Exact ${++worlds}`, member: null });
      const numbers = await Promise.all(h.customers.map(async (categories, i) => {
        const number = `C${i}`;
        await createCustomer(t.db, w.group, { number, name: number, categories }, w.settings);
        return number;
      }));
      const sales = [...h.sales].sort((x, y) => x.phase - y.phase);
      let phase = 0;
      let receipt = 0;
      for (const s of sales) {
        while (phase < s.phase) {
          await publishRules(t, w, (phase === 0 ? h.v1 : h.v2!) as unknown[]);
          phase++;
        }
        const current = await getSettings(t.db, w.group);
        await saveSettings(t.db, w.group, {
          version: current.version,
          settings: { ...current.settings, ...s.settings },
        }, w.owner);
        const value = s.lines.reduce(
          (sum, l) => sum + l.quantity * l.unitPrice - (l.discounts?.[0].amount ?? 0),
          0,
        );
        const res = await posCall(t, w.posToken, "POST", "/sales", {
          key: crypto.randomUUID(),
          body: {
            currency: "EUR",
            at: new Date(Date.now() - (sales.length - receipt) * 60_000).toISOString(),
            receiptNumber: `X-${++receipt}`,
            ...(s.customer === null ? {} : { customer: { number: numbers[s.customer] } }),
            lines: s.lines,
            tenders: [{ type: "CASH", amount: value + s.change }],
          },
        });
        assert.equal(res.status, 201, JSON.stringify(res.json));
      }
      const { version } = await getDraft(t.db, w.group);
      await saveDraft(t.db, w.group, { version, rules: h.draft }, w.owner);
      const published = phase === 0 ? null : { version: phase, rules: phase === 1 ? h.v1 : h.v2! };
      const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 1000) };
      const steps: number[] = [];
      const result = (await replayImpact(
        t.db,
        w.group,
        {
          published: published ?? { version: null, rules: [] },
          draft: { version: version + 1, rules: h.draft! },
        },
        window,
        {
          total: (n) => Promise.resolve(void assert.equal(n, sales.length)),
          step: (done) => Promise.resolve(steps.push(done) > 0),
        },
        { pageSize: 3 },
      ))!;
      assert.equal(steps.at(-1), sales.length, "progress reaches the total");
      assert.deepEqual(steps, steps.toSorted((x, y) => x - y), "progress only goes up");
      const cancelled = await replayImpact(
        t.db,
        w.group,
        {
          published: published ?? { version: null, rules: [] },
          draft: { version: version + 1, rules: h.draft! },
        },
        window,
        { total: () => Promise.resolve(), step: () => Promise.resolve(false) },
        { pageSize: 3 },
      );
      assert.equal(cancelled, null, "a cancelled replay stops at its next step");

      // The same figures from full re-pricings of the recorded sales.
      const rows = await t.db.selectFrom("sales").select([
        "id",
        "points",
        "rules_version",
        "pricing",
      ])
        .where("group_id", "=", w.group.id).execute();
      const awards = await t.db.selectFrom("sale_awards").select(["sale_id", "rule_id", "points"])
        .where("org_id", "=", w.org.id).execute();
      let pub = 0;
      let dra = 0;
      const perRule = new Map<string, { published: number; draft: number }>();
      const addUp = (
        side: "published" | "draft",
        e: { awards: { ruleId: string; points: number }[] },
      ) => {
        for (const a of e.awards) {
          const row = perRule.get(a.ruleId) ?? { published: 0, draft: 0 };
          row[side] += a.points;
          perRule.set(a.ruleId, row);
        }
      };
      const replayer = new SaleReplayer({
        published: published ?? { version: null, rules: [] },
        draft: { version: null, rules: h.draft! },
      }, new Map<RecordedVersion, readonly Rule[]>([[null, []], [1, h.v1], [2, h.v2!]]));
      for (const row of rows) {
        const pricing = row.pricing as unknown as RecordedPricing;
        const own = row.rules_version === null ? [] : row.rules_version === 1 ? h.v1 : h.v2!;
        // The draft side is always re-priced: here with the sale's own version.
        const recorded = (await new SaleReplayer({
          published: { version: row.rules_version, rules: own },
          draft: { version: row.rules_version, rules: own },
        }, new Map([[row.rules_version, own]])).replay({ ...row, pricing })).draft;
        assert.equal(recorded.points, row.points, "re-priced by its own version");
        earned += row.points;
        const mine = awards.filter((x) => x.sale_id === row.id);
        const recordedPerRule = (ruleId: string) =>
          mine.filter((x) => x.rule_id === ruleId).reduce((sum, x) => sum + x.points, 0);
        for (const a of recorded.awards) {
          assert.equal(recordedPerRule(a.ruleId), a.points, a.ruleId);
        }
        for (const x of mine) {
          assert.ok(recorded.awards.some((a) => a.ruleId === x.rule_id), "no other awards");
        }
        const fullPublished = await evaluate(
          published?.rules ?? [],
          pricing.basket,
          pricing.settings,
        );
        const fullDraft = await evaluate(h.draft!, pricing.basket, pricing.settings);
        const replayed = await replayer.replay({ ...row, pricing });
        if (replayed.published) {
          assert.deepEqual(replayed.published.awards, fullPublished.awards);
        } else {
          // The shortcut: the published version priced it, so what it recorded stands.
          assert.equal(row.rules_version, published?.version ?? null);
          assert.equal(row.points, fullPublished.points);
          for (const a of fullPublished.awards) {
            assert.equal(recordedPerRule(a.ruleId), a.points, a.ruleId);
          }
          shortcuts++;
        }
        assert.deepEqual(replayed.draft.awards, fullDraft.awards);
        pub += fullPublished.points;
        dra += fullDraft.points;
        addUp("published", fullPublished);
        addUp("draft", fullDraft);
      }
      assert.equal(result.sales, sales.length);
      assert.equal(result.published.points, pub);
      assert.equal(result.draft.points, dra);
      const byRule = (side: "published" | "draft") =>
        result.byRule.reduce((sum, r) => sum + r[side], 0);
      assert.equal(byRule("published"), pub);
      assert.equal(byRule("draft"), dra);
      for (const r of result.byRule) {
        const full = perRule.get(r.ruleId) ?? { published: 0, draft: 0 };
        assert.deepEqual({ published: r.published, draft: r.draft }, full, r.ruleId);
      }
    }),
    { numRuns: 12 },
  );
  assert.ok(earned > 0, "the histories earned points");
  assert.ok(shortcuts > 0, "some sales stood as recorded on the published side");
  await t.close();
});
