/**
 * The one error type of the product: services and routes throw a ProblemError, and the app
 * renders it as RFC 9457 problem+json. No runtime import: islands and the rules core may use
 * it too.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

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

const dotted = (path: PropertyKey[]) => path.length ? path.map(String).join(".") : "(body)";

/**
 * zod's issues as field errors: the dotted path of each field at fault. An unknown key is named
 * itself (`tenders.0.colour`), not the object that holds it.
 */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ field: dotted([...i.path, k]), message: i.message }))
      : [{ field: dotted(i.path), message: i.message }]
  );
}
