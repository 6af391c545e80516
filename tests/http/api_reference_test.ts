import assert from "node:assert/strict";
import {
  exampleOf,
  fieldRows,
  headerName,
  type OpenApiDoc,
  operationsByTag,
} from "../../components/api_docs/openapi.ts";
import { addOwner, bearerFor, createTestApp, problemOf, type TestApp } from "../helpers/app.ts";
import { buildWorld } from "../helpers/world.ts";

const t: TestApp = await createTestApp();
await addOwner(t);
const auth = { Authorization: `Bearer ${await bearerFor(t, "owner@example.com")}` };
const doc: OpenApiDoc = await (await t.request("/openapi.json")).json();
const html = await (await t.request("/docs/api")).text();
const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));

Deno.test.afterAll(() => t.close());

Deno.test("the reference opens with a table of contents grouped by tag, every operation in it", () => {
  const nav = html.slice(html.indexOf('aria-label="Contents"'), html.indexOf("</nav>"));
  const groups = operationsByTag(doc);
  assert.ok(groups.length > 5);
  for (const [tag, ops] of groups) {
    assert.ok(nav.includes(`>${tag}</a>`), `${tag} in the contents`);
    for (const op of ops) {
      assert.ok(nav.includes(`href="#${op.id}"`), `${op.method} ${op.path} in the contents`);
      assert.ok(ids.has(op.id), `${op.id} has its section`);
    }
  }
});

Deno.test("every link to a schema lands on that schema's section", () => {
  const links = [...html.matchAll(/href="#(schema-[^"]+)"/g)].map((m) => m[1]);
  assert.ok(links.length > 50);
  for (const link of links) assert.ok(ids.has(link), `#${link} exists`);
});

Deno.test("a POS operation shows its headers, its request fields with types and an example", () => {
  const start = html.indexOf('id="op-post-api-pos-v1-sales"');
  const section = html.slice(start, html.indexOf("</section>", start));
  for (const header of ["Idempotency-Key", "X-Store-Number", "X-POS-Number"]) {
    assert.ok(section.includes(`<code>${header}</code>`), header);
  }
  assert.match(section, /<code>lines\[\]\.sku<\/code>/);
  assert.match(
    section,
    /<code>lines\[\]\.unitPrice<\/code><\/td><td><code><a href="#schema-MinorUnits">/,
  );
  assert.match(section, /Example request body/);
  assert.match(section, /Example answer 201/);
  // Markdown is rendered, not shown raw.
  assert.match(section, /<strong>Units\.<\/strong>/);
  assert.doesNotMatch(section, /\*\*Units\.\*\*/);
  assert.match(section, /<code>tenders\.N\.amount<\/code>/);
});

Deno.test("field rows flatten nested objects and lists; examples follow the types", () => {
  const sale = doc.components!.schemas!.SaleRequest;
  const rows = fieldRows(doc, sale);
  const byName = new Map(rows.map((r) => [r.name, r]));
  assert.equal(byName.get("currency")?.required, true);
  assert.equal(byName.get("customer.number")?.type.text, "string");
  assert.equal(byName.get("lines[].quantity")?.type.text, "integer");
  assert.equal(byName.get("tenders")?.type.ref, "SaleTender");
  const example = exampleOf(doc, sale) as Record<string, unknown>;
  assert.equal(example.currency, "EUR");
  assert.ok(Array.isArray(example.lines) && example.lines.length === 1);
  assert.equal((example.lines as { unitPrice: unknown }[])[0].unitPrice, 1050);
  assert.equal(headerName("x-pos-number"), "X-POS-Number");
  assert.equal(headerName("idempotency-key"), "Idempotency-Key");
});

Deno.test("validation messages say what is wrong in words, naming the field itself", async () => {
  const w = await buildWorld(t);
  const res = await t.request(`/api/admin/v1/merchant-groups/${w.group.id}/customers`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ categories: ["GOLD"], name: "x".repeat(500), colour: "red" }),
  });
  const problem = await problemOf(res);
  assert.equal(res.status, 422);
  const byField = Object.fromEntries(
    problem.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
  );
  assert.equal(byField.colour, "is not a field of this request");
  assert.match(byField.name, /^at most \d+ characters$/);
  for (const message of Object.values(byField)) {
    assert.doesNotMatch(String(message), /expected|received|Invalid input/);
  }
});
