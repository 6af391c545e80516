import { z } from "@hono/zod-openapi";
import { validationError } from "../errors/problem.ts";

const IdempotencyKey = z.string().trim().min(1, "must not be empty")
  .max(100, "at most 100 characters");

/**
 * An optional Idempotency-Key header, checked after the body (a malformed body is a 400 first):
 * undefined when absent, a 422 naming the header when malformed.
 */
export function optionalIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(value);
  if (parsed.success) return parsed.data;
  throw validationError(
    parsed.error.issues.map((i) => ({ field: "Idempotency-Key", message: i.message })),
  );
}

/**
 * A required Idempotency-Key header, checked as `optionalIdempotencyKey` does, and a 422 naming
 * it when it is missing; `per` is what one key stands for ("a new key per request").
 */
export function requiredIdempotencyKey(value: string | undefined, per = "request"): string {
  const key = optionalIdempotencyKey(value);
  if (key !== undefined) return key;
  throw validationError([{
    field: "Idempotency-Key",
    message: `send an Idempotency-Key header: a new key per ${per}, the same key on a retry`,
  }]);
}
