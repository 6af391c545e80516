import { z } from "@hono/zod-openapi";
import { validationError } from "../errors/problem.ts";

const IdempotencyKey = z.string({
  error: "send an Idempotency-Key header: a new key per request, the same key on a retry",
}).trim().min(1, "must not be empty").max(100, "at most 100 characters");

/**
 * A required Idempotency-Key header, checked after the body (a malformed body is a 400 first):
 * a 422 naming the header when it is missing or malformed.
 */
export function requiredIdempotencyKey(value: string | undefined): string {
  const parsed = IdempotencyKey.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validationError(
    parsed.error.issues.map((i) => ({ field: "Idempotency-Key", message: i.message })),
  );
}
