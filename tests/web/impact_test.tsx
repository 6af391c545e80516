/**
 * The impact panel's rendering from fixture JSON of the impact API: points with their
 * decimals, money in the result's currency and locale, times on the store's clock, and the
 * per-sale comparison in the simulator's why-not words, from a real trace.
 */
import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { catalogueJson } from "../../earning/earning_json.ts";
import {
  type ImpactJob,
  type ImpactResult,
  ImpactResultView,
  outcomeText,
  progressText,
  readingOf,
  type SaleComparison,
  SaleComparisonView,
} from "../../islands/rules/impact.tsx";
import type { Vocabulary } from "../../islands/rules/model.ts";
import { DEFAULT_SETTINGS } from "../../programme/settings_schema.ts";
import { BasketSchema } from "../../rules/basket.ts";
import { evaluate } from "../../rules/evaluate.ts";
import { parseRuleSet } from "../../rules/schema.ts";

const catalogue = catalogueJson();
const vocabulary: Vocabulary = {
  categoryNames: ["Customer type", "Newsletter", "Region", "Category 4", "Category 5"],
  itemCategories: ["COATS"],
  categoryCodes: [["GOLD"], [], [], [], []],
  stores: [
    { number: 1, name: "Paris Centre", timezone: "Europe/Paris" },
    { number: 5, name: "New York", timezone: "America/New_York" },
  ],
  unlistedStores: [],
  cardSeries: [],
  keyLineTotalReference: "",
};

const result: ImpactResult = {
  currency: "EUR",
  pointValue: 1,
  sales: 1520,
  salesChanged: 312,
  membersAffected: 87,
  published: { points: 12345650, value: 123457 },
  draft: { points: 13000025, value: 130000 },
  byRule: [
    { ruleId: "basic", name: "1 point per EUR", published: 10000000, draft: 10000000 },
    { ruleId: "double-tuesday-gold", name: "Double Tuesdays", published: 0, draft: 654375 },
  ],
  byCategory: [
    { category: 1, code: "GOLD", name: "Customer type", published: 500000, draft: 1154375 },
  ],
  byStore: [{
    storeId: "s1",
    storeNumber: 5,
    storeName: "New York",
    published: 250,
    draft: 200,
  }],
  topChanges: [{
    saleId: "a1",
    receiptNumber: "D5-1-000042",
    storeName: "New York",
    at: "2026-11-20T23:30:00Z",
    customerNumber: "C100",
    published: 12050,
    draft: 24100,
    delta: 12050,
  }],
};
const job: ImpactJob & { result: ImpactResult } = {
  id: "j1",
  status: "done",
  draftVersion: 4,
  publishedVersion: 3,
  days: 30,
  from: "2026-11-06T00:00:00Z",
  to: "2026-12-06T00:00:00Z",
  progress: { done: 1520, total: 1520 },
  startedAt: "2026-12-06T00:00:00Z",
  finishedAt: "2026-12-06T00:00:01Z",
  error: null,
  result,
};
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

Deno.test("the impact result: points with decimals, money in the currency, the store's clock", () => {
  const html = text(renderToString(
    <ImpactResultView job={job} reading={readingOf(vocabulary, "en-GB")} onCompare={() => {}} />,
  ));
  assert.match(
    html,
    /Draft version 4 beside published version 3, on 1,520 sales of the last 30 days/,
  );
  assert.match(html, /Points 123,456.50 130,000.25 \+6,543.75/);
  assert.match(html, /Their value €1,234.57 €1,300.00 \+€65.43/);
  assert.doesNotMatch(html, /older sales/);
  assert.match(html, /312 of 1,520 sales change · 87 members affected · a point is worth €0.01/);
  assert.match(html, /Double Tuesdays 0.00 6,543.75 \+6,543.75/);
  assert.match(html, /1 point per EUR 100,000.00 100,000.00 0.00/);
  assert.match(html, /Customer type: GOLD 5,000.00 11,543.75 \+6,543.75/);
  assert.match(html, /5 · New York 2.50 2.00 -0.50/);
  // 23:30 UTC is 18:30 on the New York store's clock, the day it was there.
  assert.match(
    html,
    /D5-1-000042 New York 20 Nov 2026, 18:30 UTC-05:00 C100 120.50 241.00 \+120.50/,
  );

  const french = text(renderToString(
    <ImpactResultView
      job={{ ...job, result: { ...result, locale: "fr-FR" } }}
      reading={readingOf(vocabulary)}
    />,
  ));
  assert.match(french, /1\s234,57\s€/, "the result's locale, when it names one");
  const older = text(renderToString(
    <ImpactResultView
      job={{ ...job, result: { ...result, unreplayable: 12 } }}
      reading={readingOf(vocabulary)}
    />,
  ));
  assert.match(
    older,
    /12 older sales of the window were recorded before sales kept what a replay needs/,
  );
  assert.equal(
    progressText({ ...job, status: "running", progress: { done: 1234, total: 10000 } }, "en-GB"),
    "1,234 of 10,000 sales replayed",
  );
});

Deno.test("the per-sale comparison says rule by rule why it fired or not under each version", async () => {
  const basic = {
    id: "basic",
    name: "1 point per EUR",
    enabled: true,
    priority: 10,
    conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
    event: { type: "basic-points", params: { pointsPerUnit: 1 } },
  };
  const double = {
    id: "double-tuesday-gold",
    name: "Double Tuesdays",
    enabled: true,
    priority: 50,
    conditions: { all: [{ fact: "dayOfWeek", operator: "equal", value: 2 }] },
    event: { type: "multiplier", params: { factor: 2 } },
  };
  const basket = BasketSchema.parse({
    currency: "EUR",
    at: "2026-11-25T10:00:00Z",
    storeNumber: 1,
    posNumber: 1,
    timezone: "Europe/Paris",
    customer: { categories: ["GOLD"], member: true, visitCount: 0 },
    channel: "pos",
    lines: [{ sku: "C1", category: "COATS", quantity: 1, unitPrice: 12050, discounts: [] }],
    discounts: [],
    tenders: [{ type: "CASH", amount: 12050 }],
  });
  const outcomes = async (rules: unknown[]) => {
    const parsed = parseRuleSet(rules);
    assert.ok(parsed.success);
    const { trace, awards } = await evaluate(parsed.data, basket, DEFAULT_SETTINGS, {
      trace: true,
    });
    return trace.map((t) => {
      const points = awards.filter((a) => a.ruleId === t.ruleId).reduce((s, a) => s + a.points, 0);
      return { ruleId: t.ruleId, name: t.name, fired: t.status === "fired", points, trace: t };
    });
  };
  const comparison: SaleComparison = {
    sale: {
      id: "a1",
      receiptNumber: "D1-1-000007",
      at: "2026-11-25T10:00:00Z",
      storeName: "Paris Centre",
      timeZone: "Europe/Paris",
      customerNumber: "C100",
      currency: "EUR",
      total: 12050,
      lines: [{ sku: "C1", quantity: 1, unitPrice: 12050, net: 12050 }],
    },
    published: { version: 3, points: 12050, rules: await outcomes([basic]) },
    draft: {
      version: 4,
      points: 12050,
      rules: await outcomes([basic, { ...double, enabled: false }]),
    },
  };
  const html = text(renderToString(
    <SaleComparisonView comparison={comparison} catalogue={catalogue} locale="en-GB" />,
  ));
  assert.match(html, /Sale D1-1-000007 · Paris Centre · 25 Nov 2026, 11:00 UTC\+01:00/);
  assert.match(html, /Customer C100 · net total €120.50 · 1 × C1/);
  assert.match(html, /Version 3: 120.50 points · draft version 4: 120.50 points/);
  assert.match(html, /1 point per EUR earned 120.50 earned 120.50/);
  assert.match(html, /Double Tuesdays not in this version turned off/);

  const wednesday = (await outcomes([basic, double]))[1];
  const words = { catalogue, digits: 2, currency: "EUR", locale: "en-GB" };
  assert.equal(
    outcomeText(wednesday, words),
    "did not fire: Day of week is Tuesday — it was Wednesday",
  );
  assert.equal(
    outcomeText({ ...wednesday, fired: true, points: 0 }, words),
    "fired, but earned nothing",
  );
});
