/**
 * Requests generated from the OpenAPI document with fast-check: for one operation, values its
 * schemas accept (as far as JSON Schema says; `hints` steer named fields to the world's ids and
 * numbers, so valid-ish requests reach the services), then mutated — wrong types, missing and
 * extra fields, NUL, huge and negative numbers, deep nesting, long strings, bad ids and enums,
 * huge arrays, raw bodies that are not JSON, wrong content types, bad headers and credentials.
 */
import fc from "fast-check";

// deno-lint-ignore no-explicit-any -- JSON Schema from the document, read structurally.
type Schema = any;

/** The document as this module reads it. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** As in the document: `/api/admin/v1/series/{id}`. */
  path: string;
  op: Schema;
}

/** One request to send: the URL (path and query), its headers and body text. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** JSON text placed as is in a body: numbers JSON.stringify cannot write, or huge nestings. */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with each Raw written verbatim. */
function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(
    value,
    (_k, v) => v instanceof Raw ? `@@raw${raws.push(v.text) - 1}@@` : v,
  );
  return (text ?? "").replace(/"@@raw(\d+)@@"/g, (_, i) => raws[Number(i)]);
}

const nestedObjects = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
const nestedArrays = (n: number) => "[".repeat(n) + "]".repeat(n);
const LONG = "x".repeat(20_000);

/** Values put in place of any field of a body. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>(
      "\u0000",
      "a\u0000b",
      "\u0001\u0002\u001f\u007f",
      "\ud800",
      "a\udfffb",
      "\t\r\n",
      LONG,
      "",
      " ",
      "not-a-uuid",
      "00000000-0000-0000-0000-00000000000g",
      "NaN",
      "Infinity",
      "-0",
      "1e308",
      "9223372036854775808",
      "NOT_AN_ENUM",
      "' or 1=1 --",
      1e308,
      -1e308,
      2 ** 63,
      -(2 ** 63),
      2 ** 53 + 2,
      Number.MAX_SAFE_INTEGER,
      -1,
      -100,
      -(2 ** 31) - 1,
      0,
      1.5,
      0.001,
      true,
      false,
      null,
      {},
      [],
      ["\u0000"],
      new Raw("-0"),
      new Raw("1e999"),
      new Raw("-1e999"),
      new Raw("123456789012345678901234567890"),
      new Raw("1e-400"),
      new Raw('{"__proto__":{"polluted":true}}'),
      new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
      new Raw(nestedObjects(5_000)),
      new Raw(nestedArrays(50_000)),
      new Raw(nestedObjects(31)),
      new Raw(nestedObjects(33)),
      new Raw(`[${"0,".repeat(20_000)}0]`),
      new Raw(`[${'"x",'.repeat(9_999)}"x"]`),
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.array(fc.string(), { maxLength: 3 }) },
);

/** Whole bodies, for any operation (with a body or not). */
export const rawBody = fc.constantFrom(
  "not json",
  "{",
  '{"a":',
  "null",
  "[]",
  '"text"',
  "1e999",
  "{}",
  "",
  "\ufeff{}",
  '{"a":1,"a":2}',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  nestedObjects(5_000),
  nestedArrays(100_000),
  `[${"0,".repeat(20_000)}0]`,
  `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":0`).join(",")}}`,
  `"${"x".repeat(1_100_000)}"`,
);

const badSegment = fc.constantFrom(
  "abc",
  "1",
  "0",
  "-1",
  "%00",
  "a%00b",
  "%",
  "%zz",
  "%E0%A4%A",
  "%C0%AE",
  "%2F",
  "..",
  "a".repeat(5_000),
  "00000000-0000-0000-0000-00000000000g",
  "' or 1=1 --",
  encodeURIComponent("\u00e9\u4e2d"),
);

const badQueryValue = fc.constantFrom(
  "\u0000",
  "-1",
  "0",
  "1e308",
  "NaN",
  "abc",
  "",
  "x".repeat(5_000),
  "' or 1=1 --",
  "00000000-0000-0000-0000-00000000000g",
);

/** Header values a fetch accepts (ByteStrings) that no API should. */
const badHeaderValue = fc.constantFrom(
  "",
  " ",
  "x".repeat(300),
  "x".repeat(10_000),
  "\u00e9",
  "a b",
  "-1",
  "0",
  "99999999999",
  "abc",
);

const CONTENT_TYPES = fc.constantFrom(
  undefined,
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=fuzz",
  "application/json; charset=utf-16",
  "application/problem+json",
  "application/xml",
);

/**
 * Steering of valid-ish values by field or parameter name: an arbitrary for the name, used
 * instead of the schema's (most of the time) where the schema is not an enum. A path `{id}` is
 * hinted by the segment before it: `series/{id}` by `series`; an integer field by
 * `name:integer`, always (mutations still put bad values there).
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/**
 * Whole valid bodies by component name (`SaleRequest`), for what JSON Schema cannot say (a
 * sale's tenders account for its total): mutations of them reach deepest into the services.
 */
export type Examples = Record<string, fc.Arbitrary<unknown>>;

export interface FuzzContext {
  doc: OpenApiDocument;
  hints: Hints;
  examples: Examples;
  /** Authorization (and Cookie, X-CSRF-Token) headers to send, the right ones most of the time. */
  credentials: fc.Arbitrary<Record<string, string>>;
}

const MAX_DEPTH = 6;

function resolve(doc: OpenApiDocument, schema: Schema): { s: Schema; name?: string } {
  let s = schema ?? {};
  let name: string | undefined;
  while (s.$ref) {
    name = s.$ref.split("/").pop();
    s = doc.components.schemas[name!] ?? {};
  }
  if (s.allOf?.length === 1 && !s.properties) {
    const inner = resolve(doc, s.allOf[0]);
    return { s: { ...inner.s, ...s, allOf: undefined }, name: name ?? inner.name };
  }
  return { s, name };
}

const between = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });

function integerOf(s: Schema): fc.Arbitrary<number> {
  let lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
  let hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000_000);
  lo = Math.max(lo, Number.MIN_SAFE_INTEGER);
  hi = Math.min(hi, Number.MAX_SAFE_INTEGER);
  if (lo > hi) return fc.constant(lo);
  // Mostly small values (amounts and counts a test world can hold), sometimes the full range.
  const small = between(Math.max(lo, Math.min(0, hi)), Math.min(hi, Math.max(lo, 10_000)));
  return fc.oneof({ weight: 4, arbitrary: small }, { weight: 1, arbitrary: between(lo, hi) });
}

/** `d` as ISO 8601 on a clock `minutes` ahead of UTC (`Z` when 0). */
function withOffset(d: Date, minutes: number): string {
  if (!minutes) return d.toISOString();
  const local = new Date(d.getTime() + minutes * 60_000).toISOString().replace(/Z$/, "");
  const m = Math.abs(minutes);
  const hhmm = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return `${local}${minutes < 0 ? "-" : "+"}${hhmm}`;
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  const max = Math.min(s.maxLength ?? 24, 24);
  const min = Math.min(s.minLength ?? 0, max);
  if (s.format === "uuid") return fc.uuid();
  if (s.format === "date-time") {
    // Mostly this decade; sometimes any time ISO 8601 can write, at the edges of the offsets.
    const recent = fc.date({
      min: new Date("2020-01-01T00:00:00Z"),
      max: new Date("2030-01-01T00:00:00Z"),
      noInvalidDate: true,
    });
    const any = fc.date({
      min: new Date("0001-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    });
    return fc.tuple(
      fc.oneof({ weight: 3, arbitrary: recent }, { weight: 1, arbitrary: any }),
      fc.constantFrom(0, 0, 60, -60, 840, -720),
    ).map(([d, minutes]) => withOffset(d, minutes));
  }
  if (s.format === "email") return fc.emailAddress();
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).map((x) => x.slice(0, s.maxLength ?? 64));
    } catch {
      // A pattern fast-check cannot generate from: plain strings below.
    }
  }
  // Printable ASCII mostly; sometimes any grapheme (accents, CJK, emoji: names people type).
  const length = { minLength: min, maxLength: Math.max(min, max) };
  return fc.oneof(
    { weight: 3, arbitrary: fc.string(length) },
    { weight: 1, arbitrary: fc.string({ ...length, unit: "grapheme" }) },
  );
}

/** A value `schema` accepts, as far as JSON Schema says; `name` is the field's, for hints. */
function valueOf(
  ctx: FuzzContext,
  schema: Schema,
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const { s, name: component } = resolve(ctx.doc, schema);
  const generated = generatedValue(ctx, s, name, depth);
  const example = component ? ctx.examples[component] : undefined;
  // Names are reused across schemas (a card's `number`, a store's): a plain name hints
  // strings and arrays, `name:integer` hints integers.
  const scalar = [s.type].flat().find((x) => ["integer", "number", "boolean"].includes(x));
  const hint = s.enum ? undefined : scalar ? ctx.hints[`${name}:${scalar}`] : ctx.hints[name];
  // An integer hint replaces the schema's range: a valid count of 100,000 is real work.
  if (hint && scalar) return hint;
  const steer = example ?? hint;
  return steer
    ? fc.oneof({ weight: 3, arbitrary: steer }, { weight: 1, arbitrary: generated })
    : generated;
}

function generatedValue(
  ctx: FuzzContext,
  s: Schema,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const variants: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (variants?.length) {
    return fc.oneof(...variants.map((v) => valueOf(ctx, v, name, depth + 1)));
  }
  if (s.allOf?.length) {
    const parts = s.allOf.map((p: Schema) => resolve(ctx.doc, p).s);
    return generatedValue(
      ctx,
      {
        type: "object",
        properties: Object.assign({}, ...parts.map((p: Schema) => p.properties ?? {})),
        required: parts.flatMap((p: Schema) => p.required ?? []),
      },
      name,
      depth,
    );
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => generatedValue(ctx, { ...s, type }, name, depth)));
  }
  switch (types[0]) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return integerOf(s);
    case "number":
      return fc.oneof(
        integerOf(s),
        fc.double({
          min: s.minimum ?? s.exclusiveMinimum ?? -1e6,
          max: s.maximum ?? 1e9,
          noNaN: true,
          noDefaultInfinity: true,
        }),
      );
    case "string":
      return stringOf(s);
    case "array": {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 3, 3));
      if (depth >= MAX_DEPTH) return fc.constant([]);
      return fc.array(valueOf(ctx, s.items ?? {}, name, depth + 1), { minLength, maxLength });
    }
    case "object":
    default: {
      if (!s.properties && !s.additionalProperties) {
        return types[0] === "object" ? fc.constant({}) : fc.jsonValue({ maxDepth: 2 });
      }
      if (depth >= MAX_DEPTH) return fc.constant({});
      const props = s.properties ?? {};
      const record = fc.record(
        Object.fromEntries(
          Object.entries(props).map(([k, v]) => [k, valueOf(ctx, v, k, depth + 1)]),
        ),
        { requiredKeys: (s.required ?? []).filter((k: string) => k in props) },
      );
      if (Object.keys(props).length || typeof s.additionalProperties !== "object") return record;
      return fc.dictionary(
        fc.string({ minLength: 1, maxLength: 8 }),
        valueOf(ctx, s.additionalProperties, name, depth + 1),
        { maxKeys: 3 },
      );
    }
  }
}

type Path = (string | number)[];

function pathsOf(value: unknown): Path[] {
  const out: Path[] = [[]];
  const stack: [unknown, Path][] = [[value, []]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    for (const [k, x] of Object.entries(v)) {
      const here = [...p, Array.isArray(v) ? Number(k) : k];
      out.push(here);
      stack.push([x, here]);
    }
  }
  return out;
}

/** `value` with the node at `path` replaced (`replace`) or removed (undefined). */
function changedAt(value: unknown, path: Path, replace: (old: unknown) => unknown): unknown {
  if (!path.length) return replace(value);
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  const next = replace(parent[last]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = next;
  return copy;
}

/** `value` as is, or with one node replaced by a bad value, removed, or given an extra key. */
function mutated(value: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(value);
  const inner = paths.filter((p) => p.length);
  const objects = paths.filter((p) => {
    const node = p.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], value);
    return node !== null && typeof node === "object" && !Array.isArray(node);
  });
  const choices: fc.WeightedArbitrary<unknown>[] = [
    { weight: 4, arbitrary: fc.constant(value) },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...paths), badValue)
        .map(([p, bad]) => changedAt(value, p, () => bad)),
    },
  ];
  if (inner.length) {
    choices.push({
      weight: 1,
      arbitrary: fc.constantFrom(...inner).map((p) => changedAt(value, p, () => undefined)),
    });
  }
  if (objects.length) {
    choices.push({
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(...objects),
        fc.constantFrom("unknownField", "__proto__", "constructor", "", "a\u0000"),
        badValue,
      ).map(([p, key, bad]) => changedAt(value, p, (old) => ({ ...(old as object), [key]: bad }))),
    });
  }
  return fc.oneof(...choices);
}

const encodeSegment = (v: unknown) => encodeURIComponent(String(v));

/** The hint of a path parameter: `{id}` by the collection before it, others by their name. */
function paramHintName(path: string, param: string): string {
  if (param !== "id") return param;
  const m = new RegExp(`/([^/]+)/\\{${param}\\}`).exec(path);
  return m ? m[1] : param;
}

/** Requests for one operation of the document. */
export function requestsFor(ctx: FuzzContext, { method, path, op }: Operation) {
  const params: Schema[] = op.parameters ?? [];
  const inPath = params.filter((p) => p.in === "path");
  const inQuery = params.filter((p) => p.in === "query");
  const inHeader = params.filter((p) => p.in === "header");
  const bodySchema = op.requestBody?.content?.["application/json"]?.schema;

  const pathArb = fc.tuple(
    ...inPath.map((p) =>
      fc.oneof(
        {
          weight: 8,
          arbitrary: valueOf(ctx, p.schema, paramHintName(path, p.name)).map(encodeSegment),
        },
        { weight: 1, arbitrary: badSegment },
      ).map((v) => [p.name, v] as const)
    ),
  ).map((pairs) => pairs.reduce((url, [name, v]) => url.replace(`{${name}}`, v), path));

  const queryArb = fc.tuple(
    fc.tuple(
      ...inQuery.map((p) =>
        fc.option(
          fc.oneof(
            { weight: 4, arbitrary: valueOf(ctx, p.schema, p.name).map(String) },
            { weight: 1, arbitrary: badQueryValue },
          ),
          { freq: 3 },
        ).map((v) => v === null ? [] : [[p.name, v] as [string, string]])
      ),
    ).map((lists) => new URLSearchParams(lists.flat()).toString()),
    fc.oneof(
      { weight: 10, arbitrary: fc.constant("") },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...inQuery.map((p) => p.name), "x").map((n) =>
          Array(500).fill(`${encodeURIComponent(n)}=1`).join("&")
        ),
      },
      { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "a=%E0%A4%A", "%00=1", "=", "&&&") },
    ),
  ).map(([q, extra]) => [q, extra].filter(Boolean).join("&"));

  const headerArb = fc.tuple(
    ...inHeader.map((p) => {
      const name = String(p.name).toLowerCase();
      const good = name === "idempotency-key"
        ? fc.oneof({ weight: 8, arbitrary: fc.uuid() }, {
          weight: 1,
          arbitrary: fc.constant("fuzz-fixed-key"),
        })
        : fc.constant("1");
      // X-Store-Number and X-POS-Number are for a site token: mostly absent.
      return fc.oneof(
        { weight: name === "idempotency-key" ? 10 : 1, arbitrary: good },
        { weight: name === "idempotency-key" ? 1 : 20, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: badHeaderValue },
      ).map((v) => [p.name, v] as const);
    }),
  ).map((pairs) =>
    Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) as Record<string, string>
  );

  const bodyArb: fc.Arbitrary<{ body?: string; type?: string }> = fc.oneof(
    {
      weight: bodySchema ? 12 : 6,
      arbitrary: bodySchema
        ? valueOf(ctx, bodySchema).chain(mutated).map((v) => ({ body: toJson(v) }))
        : fc.constant<{ body?: string }>({}),
    },
    { weight: 1, arbitrary: rawBody.map((body): { body?: string } => ({ body })) },
  ).chain((b): fc.Arbitrary<{ body?: string; type?: string }> =>
    b.body === undefined ? fc.constant(b) : fc.oneof(
      { weight: 12, arbitrary: fc.constant({ ...b, type: "application/json" }) },
      { weight: 1, arbitrary: CONTENT_TYPES.map((type) => ({ ...b, type })) },
    )
  );

  return fc.record({
    url: fc.tuple(pathArb, queryArb),
    headers: headerArb,
    body: bodyArb,
    credentials: ctx.credentials,
  })
    .map(({ url: [p, q], headers, body, credentials }): FuzzRequest => ({
      method,
      url: q ? `${p}?${q}` : p,
      headers: {
        ...credentials,
        ...headers,
        ...(body.type ? { "Content-Type": body.type } : {}),
      },
      body: body.body,
    }));
}

/** The operations of the document, with the path of each. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op }))
  );
}

/** A form body for a console page: fields by name, valid-ish or bad values. */
export function formBody(fields: string[], csrf: fc.Arbitrary<string | undefined>) {
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 2, arbitrary: fc.integer().map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "\u0000",
        "-1",
        "0",
        "1e308",
        "NaN",
        "",
        "x".repeat(20_000),
        "00000000-0000-0000-0000-00000000000g",
        "on",
        "true",
      ),
    },
  );
  return fc.tuple(
    fc.dictionary(fc.constantFrom(...fields, "unknownField"), value, { maxKeys: 8 }),
    csrf,
  ).map(([f, token]) => {
    const form = new URLSearchParams(f);
    if (token !== undefined) form.set("_csrf", token);
    return form.toString();
  });
}
