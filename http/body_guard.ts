import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { type FieldError, ProblemError, validationError } from "../errors/problem.ts";

const NUL = "\u0000";

/** Containers (objects, arrays) nested in a body, the body itself counted: deeper is a 422. */
export const MAX_BODY_DEPTH = 32;
/** Items of any one array of a body: more is a 422. No schema of the API allows as many. */
export const MAX_ARRAY_LENGTH = 10_000;
/** A body can be at fault in many places; the first ones say enough. */
const MAX_FAULTS = 50;

/**
 * What Postgres cannot store of a string: text and jsonb cannot hold U+0000, and jsonb refuses
 * a lone surrogate (JSON's `"\ud800"`, which JSON.parse accepts).
 */
function textFault(text: string): string | undefined {
  if (text.includes(NUL)) return "must not contain NUL";
  if (!text.isWellFormed()) return "must be valid Unicode (a lone surrogate)";
}

const join = (path: string, key: string) => path ? `${path}.${key}` : key;

/**
 * The fields at fault in a parsed JSON or form body, by their dotted paths (as zod reports
 * them): a string or key holding a NUL or a lone surrogate, a container nested deeper than
 * MAX_BODY_DEPTH, an array longer than MAX_ARRAY_LENGTH. A loop over an explicit stack, never
 * recursion: the depth of a body is the caller's choice, the depth of our stack must not be.
 * Children are pushed in reverse, so faults come out in the body's order.
 */
export function bodyFaults(body: unknown): FieldError[] {
  const out: FieldError[] = [];
  const stack: { value: unknown; key?: string; path: string; depth: number }[] = [
    { value: body, path: "", depth: 0 },
  ];
  while (stack.length && out.length < MAX_FAULTS) {
    const { value, key, path, depth } = stack.pop()!;
    const field = path || "(body)";
    const keyFault = key === undefined ? undefined : textFault(key);
    if (keyFault) out.push({ field, message: keyFault });
    if (typeof value === "string") {
      const fault = textFault(value);
      if (fault) out.push({ field, message: fault });
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_BODY_DEPTH) {
      out.push({ field, message: `nested deeper than ${MAX_BODY_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY_LENGTH) {
        out.push({ field, message: `at most ${MAX_ARRAY_LENGTH} items` });
        continue;
      }
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: join(path, String(i)), depth: depth + 1 });
      }
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, v] = entries[i];
      stack.push({ value: v, key: k, path: join(path, k), depth: depth + 1 });
    }
  }
  return out.slice(0, MAX_FAULTS);
}

/**
 * Checked once, here, before any route, for every request: its path, query and JSON or form
 * body. Postgres text and jsonb cannot hold U+0000 nor jsonb a lone surrogate (either would
 * reach the database as an error, a 500), and no route should walk a body nested thousands of
 * levels deep or an array of a million items. A 422 naming each field at fault, and nothing
 * runs. A body that is not valid JSON is left to the route, which answers it as malformed; a
 * form that cannot be parsed is a 400 here.
 */
export const guardBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const errors: FieldError[] = [];
  const url = new URL(c.req.url);
  if (/%00/i.test(url.pathname)) errors.push({ field: "(path)", message: "must not contain NUL" });
  for (const [k, v] of url.searchParams) {
    if (k.includes(NUL) || v.includes(NUL)) {
      errors.push({ field: k.replaceAll(NUL, ""), message: "must not contain NUL" });
    }
  }
  const type = c.req.header("Content-Type") ?? "";
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    if (/json/i.test(type)) {
      errors.push(...bodyFaults(await c.req.json().catch(() => undefined)));
    } else if (/form/i.test(type)) {
      // Every later reader (the CSRF check, a page's form) would throw on it again.
      const form = await c.req.parseBody().catch(() => {
        throw new ProblemError(400, "malformed-form", "The request body is not a valid form");
      });
      errors.push(...bodyFaults(form));
    }
  }
  if (errors.length) throw validationError(errors.slice(0, MAX_FAULTS));
  await next();
};
