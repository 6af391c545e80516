import type { Hook } from "@hono/zod-openapi";
import { notFound, validationError, zodFieldErrors } from "../errors/problem.ts";

/**
 * The OpenAPI routes' validation hook: every failed parse becomes a 422 naming each field,
 * except a malformed path parameter: an id that is not an id names nothing, a 404.
 */
// deno-lint-ignore no-explicit-any -- Hook's generics are the library's; we only read the result.
export const problemHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  if (result.target === "param") throw notFound();
  throw validationError(zodFieldErrors(result.error));
};
