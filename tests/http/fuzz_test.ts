/**
 * Every operation of the OpenAPI document, fed malformed bodies, NUL and control characters,
 * huge and negative numbers, wrong types and non-UUID ids: no answer is a 5xx, and every 4xx
 * is problem+json. Operations come from the document itself, so a new route is fuzzed too.
 */
import assert from "node:assert/strict";
import { createSeries } from "../../instruments/series.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { buildWorld } from "../helpers/world.ts";

// deno-lint-ignore no-explicit-any -- a JSON Schema from the document, read structurally.
type Schema = any;

const t = await createTestApp();
const w = await buildWorld(t, { name: "Fuzz" });
const series = await createSeries(t.db, w.group, {
  name: "Fuzz cards",
  type: "gift-card",
  prefix: "77",
  currency: "EUR",
  initialValue: 0,
  expiryDays: null,
}, w.owner);
const doc = await (await t.request("/openapi.json")).json();

/** The id a path segment names, so a well-formed request reaches past the 404. */
const ID_BY_COLLECTION: Record<string, string> = {
  organizations: w.org.id,
  sites: w.site.id,
  stores: w.store.id,
  pos: w.pos.id,
  merchants: w.merchant.id,
  "merchant-groups": w.group.id,
  series: series.id,
  customers: w.member!.customer.id,
  staff: w.owner.id,
};
/** Ids named by body and query fields. */
const ID_BY_FIELD: Record<string, unknown> = {
  organizationId: w.org.id,
  merchantId: w.merchant.id,
  storeIds: [w.store.id],
  actorId: w.owner.id,
  entityId: w.group.id,
};

const BAD_VALUES: unknown[] = [
  "\u0000",
  "a\u0000b",
  "\u0001\u0002\u001f\u007f",
  "\t\r\n",
  "x".repeat(20_000),
  "",
  " ",
  "not-a-uuid",
  "00000000-0000-0000-0000-00000000000g",
  1e308,
  -1e308,
  -1,
  0,
  1.5,
  2 ** 53,
  -(2 ** 31) - 1,
  true,
  null,
  {},
  [],
  ["\u0000"],
  { __proto__: { polluted: true } },
];
const BAD_QUERY = ["\u0000", "-1", "1e308", "abc", "", "x".repeat(5000), "%", "0"];
const BAD_IDS = ["abc", "1", "%00", "00000000-0000-0000-0000-00000000000g", "' or 1=1 --"];
const RAW_BODIES = ["not json", "{", "null", "[]", '"text"', "1e999", "{}", '{"a":"\\u0000"}'];

function resolve(schema: Schema): Schema {
  let s = schema;
  while (s?.$ref) s = doc.components.schemas[s.$ref.split("/").pop()];
  return s ?? {};
}

/** A value the schema accepts, as far as this reading of it goes. */
function sample(schema: Schema, name = ""): unknown {
  const s = resolve(schema);
  if (name in ID_BY_FIELD) return ID_BY_FIELD[name];
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return sample(variants.find((v: Schema) => resolve(v).type !== "null") ?? {});
  const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== "null") : s.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sample(v, k);
      return out;
    }
    case "array":
      return [sample(s.items ?? {}, name)];
    case "integer":
    case "number":
      return Math.max(1, s.minimum ?? 1);
    case "boolean":
      return false;
    case "string":
      if (s.format === "uuid") return crypto.randomUUID();
      return /currency/i.test(name) ? "EUR" : "Fuzz";
  }
  return "Fuzz";
}

function fillPath(path: string, bad?: string): string {
  return path.replace(/\/([^/]+)\/\{(\w+)\}/g, (_, collection: string, param: string) => {
    if (bad !== undefined) return `/${collection}/${encodeURIComponent(bad)}`;
    if (param === "jti") return `/${collection}/${crypto.randomUUID()}`;
    return `/${collection}/${ID_BY_COLLECTION[collection] ?? crypto.randomUUID()}`;
  });
}

let requests = 0;
const failures: string[] = [];

async function send(
  method: string,
  path: string,
  opts: { body?: string; auth?: string; headers?: Record<string, string> },
) {
  requests++;
  let res: Response;
  try {
    res = await t.request(path, {
      method,
      headers: {
        ...(opts.auth ? { Authorization: `Bearer ${opts.auth}` } : {}),
        ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
        "Idempotency-Key": crypto.randomUUID(),
        ...opts.headers,
      },
      body: opts.body,
    });
  } catch (err) {
    failures.push(`${method} ${path}: threw ${err}`);
    return;
  }
  const type = res.headers.get("Content-Type") ?? "";
  const text = await res.text();
  const what = `${method} ${path.slice(0, 160)} ${(opts.body ?? "").slice(0, 160)}`;
  if (res.status >= 500) failures.push(`${res.status} ${what}: ${text.slice(0, 200)}`);
  else if (res.status >= 400 && !type.startsWith("application/problem+json")) {
    failures.push(`${res.status} without problem+json ${what}`);
  }
}

const operations: { method: string; path: string; op: Schema }[] = [];
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops as Record<string, Schema>)) {
    operations.push({ method: method.toUpperCase(), path, op });
  }
}
// Deletions last: until then every well-formed path names the world's rows.
operations.sort((a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"));

Deno.test(`fuzz: every operation of the OpenAPI document, no 5xx (${testBackend})`, async () => {
  for (const { method, path, op } of operations) {
    const auth = path.startsWith("/api/pos/")
      ? w.posToken
      : path.startsWith("/api/admin/")
      ? w.ownerToken
      : undefined;
    const params: Schema[] = op.parameters ?? [];
    const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
    const base = bodySchema ? sample(bodySchema) : undefined;
    const goodPath = fillPath(path);
    const json = (v: unknown) => JSON.stringify(v);
    const baseBody = bodySchema ? json(base) : undefined;

    if (path.includes("{")) {
      for (const bad of BAD_IDS) {
        await send(method, fillPath(path, bad), { auth, body: baseBody });
      }
    }
    for (const p of params.filter((p) => p.in === "query")) {
      for (const bad of BAD_QUERY) {
        const url = `${goodPath}?${new URLSearchParams({ [p.name]: bad })}`;
        await send(method, url, { auth, body: baseBody });
      }
    }
    for (const p of params.filter((p) => p.in === "header")) {
      for (const bad of ["", "x".repeat(300), "-1", "abc", "99999999999", "é"]) {
        // Header values cannot hold NUL or non-Latin-1 at all; skip what fetch refuses.
        try {
          new Headers({ [p.name]: bad });
        } catch {
          continue;
        }
        await send(method, goodPath, { auth, body: baseBody, headers: { [p.name]: bad } });
      }
    }
    if (!bodySchema) {
      await send(method, goodPath, { auth });
      continue;
    }
    for (const raw of RAW_BODIES) await send(method, goodPath, { auth, body: raw });
    await send(method, goodPath, { auth, body: json(base) });
    if (base !== null && typeof base === "object" && !Array.isArray(base)) {
      for (const key of Object.keys(base)) {
        for (const bad of BAD_VALUES) {
          await send(method, goodPath, { auth, body: json({ ...base, [key]: bad }) });
        }
      }
      for (const bad of BAD_VALUES) {
        await send(method, goodPath, { auth, body: json({ ...base, unknownField: bad }) });
      }
    }
  }
  console.log(
    `fuzz (${testBackend}): ${operations.length} operations, ${requests} requests, ` +
      `${failures.length} failures`,
  );
  assert.deepEqual(failures, []);
});

Deno.test("fuzz: close", async () => {
  await t.close();
});
