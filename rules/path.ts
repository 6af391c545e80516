/**
 * Fact `path`s. json-rules-engine's default resolver is jsonpath-plus, which evaluates
 * expressions (filters, scripts); a rule author must never get to run code, so paths are
 * restricted to plain dotted property names and resolved by walking own properties only.
 */

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";

/** `$.a.b` or `a.b`: dotted identifiers only; no brackets, wildcards, `..`, parentheses. */
export const PLAIN_PATH = new RegExp(`^(?:\\$\\.)?${IDENT}(?:\\.${IDENT})*$`);

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export const MAX_PATH_LENGTH = 200;

/** Splits a plain path into its segments, or returns null if the path is not plain. */
export function plainPathSegments(path: string): string[] | null {
  if (path.length > MAX_PATH_LENGTH || !PLAIN_PATH.test(path)) return null;
  const segments = (path.startsWith("$.") ? path.slice(2) : path).split(".");
  return segments.some((s) => FORBIDDEN.has(s)) ? null : segments;
}

export function isPlainPath(path: string): boolean {
  return plainPathSegments(path) !== null;
}

/**
 * The engine's `pathResolver`. Throws on a non-plain path (validation should have rejected
 * it, so reaching here is a bug worth surfacing); yields undefined for a missing property.
 */
export function pathResolver(value: object, path: string): unknown {
  const segments = plainPathSegments(path);
  if (!segments) throw new Error(`rejected fact path: ${JSON.stringify(path)}`);
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
