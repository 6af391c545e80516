/**
 * Money in the API's shapes, described once: `MinorUnits` is the one OpenAPI component every
 * amount of money references (the app registers it before any route, so the component is this
 * schema and not a field's narrower copy). Server-side: it carries @hono/zod-openapi, which the
 * islands' bundles leave out (the rule editor's rules/schema.ts keeps plain zod).
 */
import { z } from "@hono/zod-openapi";

export const MinorUnits = z.number({ error: "must be a whole number of minor units" }).openapi(
  "MinorUnits",
  {
    type: "integer",
    description: "An amount of money in minor units of its currency (e.g. cents), an " +
      "integer: 1050 EUR is 10.50 €, 1050 JPY is ¥1,050. The currency is named in the same " +
      "object or in one enclosing it.",
    example: 1050,
  },
);

/**
 * A money field: `schema` (an integer with the field's bounds and messages, e.g.
 * `z.int().min(1, "must be more than 0")`) as a `MinorUnits` that validates as `schema` does
 * (with its messages), documented as a reference to the component with the field's description
 * and bounds.
 */
export function money(schema: z.ZodNumber, description: string) {
  const bounds: { minimum?: number; maximum?: number } = {};
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: boolean };
    if (typeof def.value !== "number") continue;
    if (def.check === "greater_than") bounds.minimum = def.value + (def.inclusive ? 0 : 1);
    if (def.check === "less_than") bounds.maximum = def.value - (def.inclusive ? 0 : 1);
  }
  return MinorUnits.superRefine((value, ctx) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input: value });
    }
  }).openapi({ description, ...bounds });
}
