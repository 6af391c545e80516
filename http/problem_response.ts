import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { ProblemError } from "../errors/problem.ts";

export function problemResponse(c: Context, err: ProblemError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.body(JSON.stringify(err.toProblem()), err.status, {
    "Content-Type": "application/problem+json",
  });
}

/** The database is gone for now (restarting, connections cut): the client should retry. */
export const databaseUnavailable = () =>
  new ProblemError(503, "database-unavailable", "The database is unavailable", {
    detail: "retry shortly; a write retried with the same Idempotency-Key is applied once",
  }, { "Retry-After": "1" });

/**
 * Maps anything thrown to a problem; a lost database connection is a 503, other unknown errors
 * an opaque 500.
 */
export function toProblemError(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (isDatabaseUnavailable(err)) return databaseUnavailable();
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 413) {
      return new ProblemError(413, "body-too-large", "The request body is too large");
    }
    if (/json/i.test(err.message)) {
      return new ProblemError(400, "malformed-json", "The request body is not valid JSON", {
        detail: err.message,
      });
    }
    if (status === 415 || /content-type/i.test(err.message)) {
      return new ProblemError(415, "unsupported-media-type", "Send the body as application/json", {
        detail: err.message,
      });
    }
    return new ProblemError(status, "http-" + status, err.message || "Request failed");
  }
  return new ProblemError(500, "internal", "Internal server error");
}
