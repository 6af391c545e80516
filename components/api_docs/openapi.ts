/**
 * What the API reference reads from our OpenAPI 3.1 document: operations, parameters, and a
 * schema's fields as rows (nested objects and lists flattened to dotted names) and as an example.
 */

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  example?: unknown;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  nullable?: boolean;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Content {
  schema?: Schema;
}

export interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, Content> };
  responses?: Record<string, { description?: string; content?: Record<string, Content> }>;
}

export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Op {
  path: string;
  method: string;
  op: Operation;
  /** The anchor of the operation's section. */
  id: string;
}

const UNTAGGED = "Other";

export const operationId = (method: string, path: string) =>
  `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;

/** The operations grouped by their first tag, groups in the order the document first names them. */
export function operationsByTag(doc: OpenApiDoc): [string, Op[]][] {
  const groups = new Map<string, Op[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? UNTAGGED;
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({ path, method, op, id: operationId(method, path) });
    }
  }
  return [...groups];
}

export const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

const ACRONYMS = new Set(["pos", "csrf", "id"]);

/** Headers as our documentation spells them: `Idempotency-Key`, `X-POS-Number`. */
export const headerName = (name: string) =>
  name.split("-").map((w) =>
    w.length <= 1 || ACRONYMS.has(w.toLowerCase())
      ? w.toUpperCase()
      : w[0].toUpperCase() + w.slice(1).toLowerCase()
  ).join("-");

/**
 * `allOf: [{ $ref }, { description, bounds }]`, the shape a field of a shared component takes,
 * read as the reference with the field's own words and bounds.
 */
function flatten(s: Schema): Schema {
  if (!s.allOf) return s;
  const { allOf, ...rest } = s;
  return Object.assign({}, ...allOf.map(flatten), rest);
}

/** A type as a reader names it; `ref` when it is a component with a section of its own. */
export interface TypeText {
  text: string;
  ref?: string;
}

export function typeOf(raw: Schema): TypeText {
  const s = flatten(raw);
  if (s.$ref) return { text: refName(s.$ref), ref: refName(s.$ref) };
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const parts = alternatives.map(typeOf);
    return { text: parts.map((p) => p.text).join(" or "), ref: parts.find((p) => p.ref)?.ref };
  }
  if (s.enum) return { text: `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}` };
  if (s.const !== undefined) return { text: JSON.stringify(s.const) };
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes("array") && s.items) {
    const item = typeOf(s.items);
    return { text: `list of ${item.text}`, ref: item.ref };
  }
  const base = types.filter((t) => t !== "null").join(" or ") || "any";
  const text = `${base}${s.format ? ` (${s.format})` : ""}${
    types.includes("null") ? ", or null" : ""
  }`;
  return { text };
}

/** The bounds a value must keep, in a few words. */
export function constraintsOf(raw: Schema): string[] {
  const s = flatten(raw);
  const out: string[] = [];
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (s.minLength !== undefined) out.push(`at least ${count(s.minLength, "character")}`);
  if (s.maxLength !== undefined) out.push(`at most ${count(s.maxLength, "character")}`);
  if (s.maxItems !== undefined) out.push(`at most ${count(s.maxItems, "item")}`);
  if (s.pattern) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

export interface FieldRow {
  name: string;
  type: TypeText;
  required: boolean;
  description?: string;
  constraints: string[];
}

const MAX_DEPTH = 4;

/**
 * A schema's fields, nested objects flattened to `customer.number` and lists to `lines[].sku`.
 * A reference to a component is one row that links to it, not expanded again.
 */
export function fieldRows(doc: OpenApiDoc, raw: Schema, prefix = "", depth = 0): FieldRow[] {
  const s = flatten(raw.$ref && !prefix ? resolve(doc, raw) : raw);
  const rows: FieldRow[] = [];
  for (const [key, rawField] of Object.entries(s.properties ?? {})) {
    const field = flatten(rawField);
    const name = prefix + key;
    rows.push({
      name,
      type: typeOf(field),
      required: s.required?.includes(key) ?? false,
      description: field.description,
      constraints: constraintsOf(field),
    });
    if (depth >= MAX_DEPTH || field.$ref) continue;
    if (field.properties) rows.push(...fieldRows(doc, field, `${name}.`, depth + 1));
    const items = field.items && flatten(field.items);
    if (items?.properties) rows.push(...fieldRows(doc, items, `${name}[].`, depth + 1));
  }
  return rows;
}

export function resolve(doc: OpenApiDoc, s: Schema): Schema {
  if (!s.$ref) return s;
  return doc.components?.schemas?.[refName(s.$ref)] ?? {};
}

const EXAMPLE_STRINGS: Record<string, string> = {
  "date-time": "2026-03-03T14:30:00+01:00",
  date: "2026-03-03",
  uuid: "3f2c1a9e-8b7d-4c6e-9a5f-1e2d3c4b5a69",
  email: "ana@example.com",
  uri: "https://loyalty-edge.dev/",
};

function exampleString(s: Schema, key: string): string {
  if (s.format && EXAMPLE_STRINGS[s.format]) return EXAMPLE_STRINGS[s.format];
  if (s.pattern === "^[A-Z]{3}$") return "EUR";
  if (s.pattern?.startsWith("^[1-9]") || s.pattern?.startsWith("^[0-9]")) return "1001";
  if (/currency/i.test(key)) return "EUR";
  return key || "text";
}

/** An example value: the schema's own where it gives one, else one made from its types. */
export function exampleOf(doc: OpenApiDoc, raw: Schema, key = "", depth = 0): unknown {
  const s = flatten(raw);
  if (s.example !== undefined) return s.example;
  if (s.$ref) return depth > MAX_DEPTH ? {} : exampleOf(doc, resolve(doc, s), key, depth + 1);
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return exampleOf(doc, alternatives[0], key, depth + 1);
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes("object") || s.properties) {
    if (depth > MAX_DEPTH) return {};
    return Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([k, v]) => [k, exampleOf(doc, v, k, depth + 1)]),
    );
  }
  if (types.includes("array")) {
    return s.items && depth <= MAX_DEPTH ? [exampleOf(doc, s.items, key, depth + 1)] : [];
  }
  if (types.includes("integer") || types.includes("number")) {
    return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
  }
  if (types.includes("boolean")) return true;
  if (types.includes("string")) return exampleString(s, key);
  return null;
}
