import { z } from "@hono/zod-openapi";
import { isUuid } from "../db/errors.ts";
import { validationError } from "../errors/problem.ts";

/**
 * Keyset pagination for every list endpoint: `?limit=&cursor=`, answered with
 * `{items, nextCursor}`. The cursor is opaque to clients: base64url JSON of the sort key of
 * the last item returned.
 */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50)
    .openapi({ param: { name: "limit", in: "query" }, example: 50 }),
  cursor: z.string().max(500).optional()
    .openapi({
      param: { name: "cursor", in: "query" },
      description: "nextCursor of the last page",
    }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** The key's JSON as UTF-8, base64url: btoa alone refuses a name outside Latin-1 (a 500). */
export function encodeCursor(key: (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * The sort key inside a cursor, checked against its shape: `id` parts must be UUIDs (they
 * reach Postgres as such). A tampered cursor is a 422 on `cursor`.
 */
export function decodeCursor(
  cursor: string | undefined,
  shape: readonly ("text" | "id")[],
): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const text = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    const key = JSON.parse(text);
    if (
      Array.isArray(key) && key.length === shape.length &&
      key.every((k, i) => typeof k === "string" && (shape[i] === "text" || isUuid(k)))
    ) {
      return key;
    }
  } catch { /* falls through to the 422 */ }
  throw validationError([{ field: "cursor", message: "not a cursor from this API" }]);
}

/** Fetch `limit + 1` rows, then: the page, and the cursor to the next one if there is more. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string[]) {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
