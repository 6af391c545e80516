import assert from "node:assert/strict";
import {
  boundaryViolations,
  cycles,
  folderOf,
  type Import,
  importsOf,
  parseRules,
} from "./boundaries.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Not application code: tests, benchmarks and generated output. */
const SKIP = new Set([".git", "tests", "bench", "data", "dist", "node_modules", ".build", "docs"]);

async function sourceFiles(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(ROOT + dir)) {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory && !SKIP.has(e.name) && !e.name.startsWith(".")) {
      out.push(...await sourceFiles(path));
    } else if (e.isFile && /\.tsx?$/.test(e.name)) out.push(path);
  }
  return out;
}

const rules = parseRules(await Deno.readTextFile(ROOT + "docs/architecture.md"));
const files = await sourceFiles();
const imports: Import[] = [];
for (const f of files) imports.push(...importsOf(f, await Deno.readTextFile(ROOT + f)));

Deno.test("every folder of the code is described in docs/architecture.md", () => {
  const folders = new Set(files.filter((f) => f.includes("/")).map(folderOf));
  const missing = [...folders].filter((f) => !rules.has(f));
  assert.deepEqual(missing, []);
});

Deno.test("no file imports a folder its paragraph in docs/architecture.md does not allow", () => {
  assert.ok(imports.length > 200, "the scan found the imports");
  assert.deepEqual(boundaryViolations(imports, rules), []);
});

Deno.test("no route file imports another route file", () => {
  const routeToRoute = imports.filter((i) =>
    folderOf(i.from) === "routes" && folderOf(i.to) === "routes"
  );
  assert.deepEqual(routeToRoute.map((i) => `${i.from} -> ${i.to}`), []);
});

Deno.test("no files import each other in a cycle", () => {
  assert.deepEqual(cycles(imports), []);
});

Deno.test("the check itself catches what it must", () => {
  const bad: Import[] = [
    { from: "rules/evaluate.ts", to: "db/connection.ts", typeOnly: false },
    { from: "ledger/entries.ts", to: "sales/sale.ts", typeOnly: false },
    { from: "members/customers.ts", to: "routes/pages/customers.tsx", typeOnly: true },
    { from: "routes/admin/a.ts", to: "routes/admin/b.ts", typeOnly: false },
    { from: "members/customers.ts", to: "http/openapi.ts", typeOnly: false },
    { from: "islands/X.tsx", to: "db/connection.ts", typeOnly: false },
  ];
  assert.equal(boundaryViolations(bad, rules).length, bad.length);
  const allowed: Import[] = [
    { from: "members/customer_json.ts", to: "http/openapi.ts", typeOnly: false },
    { from: "islands/X.tsx", to: "instruments/series_json.ts", typeOnly: true },
    { from: "routes/admin/a.ts", to: "members/customers.ts", typeOnly: false },
  ];
  assert.deepEqual(boundaryViolations(allowed, rules), []);
  assert.deepEqual(
    cycles([
      { from: "a.ts", to: "b.ts", typeOnly: false },
      { from: "b.ts", to: "c.ts", typeOnly: true },
      { from: "c.ts", to: "a.ts", typeOnly: false },
      { from: "c.ts", to: "d.ts", typeOnly: false },
    ]),
    [["a.ts", "b.ts", "c.ts"]],
  );
});
