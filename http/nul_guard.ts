import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.ts";
import { type FieldError, validationError } from "../errors/problem.ts";

const NUL = "\u0000";

/** Dotted paths (as zod reports them) of the strings in `value` that hold a NUL. */
function nulFields(value: unknown, path: string, out: FieldError[]): void {
  if (typeof value === "string") {
    if (value.includes(NUL)) out.push({ field: path || "(body)", message: "must not contain NUL" });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulFields(v, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (k.includes(NUL)) out.push({ field: here, message: "must not contain NUL" });
      nulFields(v, here, out);
    }
  }
}

/**
 * Postgres text and jsonb cannot hold U+0000: a NUL anywhere in a request would reach the
 * database as an error (a 500). Every request's path, query and JSON or form body is checked
 * once, here, before any route: a 422 naming each field at fault, and nothing runs. A body
 * that is not valid JSON is left to the route, which answers it as malformed.
 */
export const rejectNul: MiddlewareHandler<AppEnv> = async (c, next) => {
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
      const body = await c.req.json().catch(() => undefined);
      nulFields(body, "", errors);
    } else if (/form/i.test(type)) {
      nulFields(await c.req.parseBody().catch(() => undefined), "", errors);
    }
  }
  if (errors.length) throw validationError(errors);
  await next();
};
