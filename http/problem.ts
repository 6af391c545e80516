import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One field at fault: a JSON pointer-ish dotted path and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPE_BASE = "https://loyalty-edge.dev/problems/";

/**
 * Thrown by services and routes; rendered as RFC 9457 problem+json by `onError`.
 * `type` is a stable slug such as `validation` or `not-found`.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly slug: string,
    readonly title: string,
    readonly extra: { detail?: string; errors?: FieldError[]; [k: string]: unknown } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }

  toProblem(): Problem {
    return { type: TYPE_BASE + this.slug, title: this.title, status: this.status, ...this.extra };
  }
}

export const validationError = (errors: FieldError[], detail?: string) =>
  new ProblemError(422, "validation", "The request is not valid", { detail, errors });

export const notFound = (what = "resource") =>
  new ProblemError(404, "not-found", `No such ${what}`);

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
    if (/content-type/i.test(err.message)) {
      return new ProblemError(415, "unsupported-media-type", "Send the body as application/json", {
        detail: err.message,
      });
    }
    return new ProblemError(status, "http-" + status, err.message || "Request failed");
  }
  return new ProblemError(500, "internal", "Internal server error");
}
