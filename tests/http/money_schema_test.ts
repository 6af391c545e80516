/**
 * One money representation across the API: every money-looking field of the OpenAPI document
 * (amount, balance, total, value, spend, change, price, discount, …) that is a number references
 * the one `MinorUnits` component, and a currency is named in its object or one enclosing it. A
 * new route must follow it: a field this test meets for the first time fails until it does, or
 * until it is listed below with the reason it is not money or has no currency of its own.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../helpers/app.ts";

const t = await createTestApp();
// deno-lint-ignore no-explicit-any -- a JSON Schema walker reads whatever the document holds.
type Schema = any;
const doc: Schema = await (await t.request("/openapi.json")).json();
await t.close();

const MINOR = "#/components/schemas/MinorUnits";
const MONEY_NAME =
  /amount|balance|total|value|spend|change|price|discount|outstanding|writtenoff|requested|cost/i;

/** Fields whose names look like money but which are points, counts or codes. */
const NOT_MONEY: Record<string, string> = {
  "LookedUpCustomer.keyLineTotal": "points",
  "CustomerProfile.keyLineTotal": "points",
  "PointsStatement.keyLineTotal": "points",
  "Sale.customer.keyLineTotal": "points",
  "StatementLine.balance": "a points balance",
  "Adjustment.balance": "a points balance",
  "ItemsUpserted.unchanged": "a count of items",
  "LoyaltySettings.wholesale.priceLevel": "which of five price levels",
  "WholesaleOrder.priceLevel": "which of five price levels",
  "ImpactJob.progress.total": "a count of sales",
  "ImpactResult.salesChanged": "a count of sales",
  "RuleCatalogue.weekdays.value": "a weekday",
  "RuleCondition.value": "a condition's comparison value: its kind is the fact's",
};

/** Money fields that are not MinorUnits in the document, and why. */
const NOT_MINOR_UNITS: Record<string, string> = {
  "Rule.event.params.minTotal":
    "rule documents are validated by rules/schema.ts, which the browser's rule editor bundles " +
    "with plain zod; it says minor units of the basket's currency",
};

/** Money with no currency in its objects, and where its currency is. */
const CURRENCY_ELSEWHERE: Record<string, string> = {
  "MemberStatistics.spend": "the programme's trading currency (a programme has no currency field)",
  "Item.prices": "the programme's trading currency (items carry none)",
  "ItemsUpsert.items.prices": "the programme's trading currency (items carry none)",
  "LoyaltySettings.pointValue": "the programme's trading currency (settings carry none)",
  "InstrumentMove.amount": "the instrument's series' currency (the instrument in the path)",
  "Rule.event.params.minTotal": "the basket's currency at evaluation",
};

const resolve = (s: Schema): Schema =>
  s?.$ref ? doc.components.schemas[s.$ref.split("/").pop()] : s;
const refName = (s: Schema) => s?.$ref?.split("/").pop();

/** References MinorUnits: itself, with the field's own keywords (allOf), or nullable (anyOf). */
const isMinorUnits = (s: Schema): boolean =>
  s?.$ref === MINOR || (s?.allOf ?? []).some((p: Schema) => p.$ref === MINOR) ||
  (s?.anyOf?.length === 2 && s.anyOf.some(isMinorUnits) &&
    s.anyOf.some((p: Schema) => p.type === "null"));

/** A number, or a list of numbers, or a union with one. */
function isNumeric(s: Schema, seen = new Set<Schema>()): boolean {
  s = resolve(s);
  if (!s || seen.has(s)) return false;
  seen.add(s);
  const types = [s.type].flat();
  if (types.includes("integer") || types.includes("number")) return true;
  if (s.items && isNumeric(s.items, seen)) return true;
  return [...s.allOf ?? [], ...s.anyOf ?? [], ...s.oneOf ?? []].some((p) => isNumeric(p, seen));
}

const offenders: string[] = [];
const seenFields = new Set<string>();

/** The properties an object schema has, its allOf parts merged. */
function propertiesOf(s: Schema): Record<string, Schema> {
  s = resolve(s);
  return Object.assign({}, s?.properties, ...(s?.allOf ?? []).map(propertiesOf));
}

function walk(s: Schema, where: string, currency: boolean, stack: Set<string>): void {
  const name = refName(s);
  if (s?.$ref === MINOR) return;
  if (name) {
    if (stack.has(name)) return;
    stack = new Set([...stack, name]);
    where = name;
    s = resolve(s);
  }
  if (!s || typeof s !== "object") return;
  const properties = propertiesOf(s);
  const withCurrency = currency || "currency" in properties;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const field = `${where}.${key}`;
    if (MONEY_NAME.test(key) && isNumeric(prop) && !(field in NOT_MONEY)) {
      seenFields.add(field);
      const schema = [resolve(prop).type].flat().includes("array") ? resolve(prop).items : prop;
      if (!isMinorUnits(schema) && !(field in NOT_MINOR_UNITS)) {
        offenders.push(`${field}: not the MinorUnits component`);
      }
      if (!withCurrency && !(field in CURRENCY_ELSEWHERE)) {
        offenders.push(`${field}: no currency in its object or one enclosing it`);
      }
    }
    walk(prop, field, withCurrency, stack);
  }
  for (const part of s.allOf ?? []) walk(part, where, withCurrency, stack);
  for (const part of [...s.anyOf ?? [], ...s.oneOf ?? []]) walk(part, where, withCurrency, stack);
  if (s.items) walk(s.items, where, withCurrency, stack);
  if (typeof s.additionalProperties === "object") {
    walk(s.additionalProperties, where, withCurrency, stack);
  }
}

Deno.test("MinorUnits is one integer component that says what minor units are", () => {
  const minor = doc.components.schemas.MinorUnits;
  assert.equal(minor.type, "integer");
  assert.match(minor.description, /minor units/);
  assert.match(minor.description, /1050 EUR is 10\.50 €/);
  assert.equal(Object.keys(minor).sort().join(), "description,example,type", "no field's bounds");
});

Deno.test("every money field of every request and answer is MinorUnits, with its currency named", () => {
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations as Record<string, Schema>)) {
      const bodies = [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses ?? {}).flatMap((r: Schema) => Object.values(r.content ?? {})),
      ] as Schema[];
      for (const body of bodies) {
        walk(body.schema, `${method.toUpperCase()} ${path}`, false, new Set());
      }
    }
  }
  assert.deepEqual(offenders, []);
  // The lists above name fields that exist: a renamed field is not exempted by accident.
  const exempted = [...Object.keys(NOT_MINOR_UNITS), ...Object.keys(CURRENCY_ELSEWHERE)];
  assert.deepEqual(exempted.filter((f) => !seenFields.has(f)), []);
  assert.ok(seenFields.size > 40, `${seenFields.size} money fields seen`);
});
