import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ProblemError } from "../errors/problem.ts";

export function problemResponse(c: Context, err: ProblemError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.body(JSON.stringify(err.toProblem()), err.status, {
    "Content-Type": "application/problem+json",
  });
}

/** Maps anything thrown to a problem; unknown errors become an opaque 500. */
export function toProblemError(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
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
