import { type Hook, z } from "@hono/zod-openapi";
import { plainMessage } from "../errors/messages.ts";
import { notFound, validationError, zodFieldErrors } from "../errors/problem.ts";

/**
 * zod's default messages become the plain ones of errors/messages.ts, for every schema parsed
 * in this process (zod's configuration is global; a schema's own message still wins).
 */
export function usePlainMessages() {
  z.config({ customError: plainMessage });
}

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
