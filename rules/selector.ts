/** Line selectors: which basket lines a fact, an event basis or a multiplier applies to. */
import * as z from "zod";
import type { PricedLine } from "./context.ts";

const Code = z.string().min(1).max(64);

/**
 * A line matches when its SKU is in `skus` OR its category is in `categories`; with neither
 * list, every line matches. `excludeDiscounted` drops lines carrying a discount of any kind
 * (their own, or an order-level discount, which counts on every line).
 */
export const LineSelector = z.strictObject({
  skus: z.array(Code).min(1).max(500).optional().describe("Lines of these SKUs"),
  categories: z.array(Code).min(1).max(100).optional().describe("Lines of these item categories"),
  excludeDiscounted: z.boolean().optional().describe("Leave out lines carrying any discount"),
});
export type LineSelector = z.infer<typeof LineSelector>;

export function lineMatches(line: PricedLine, sel: LineSelector): boolean {
  if (sel.excludeDiscounted && line.discounted) return false;
  if (!sel.skus && !sel.categories) return true;
  return (sel.skus?.includes(line.sku) ?? false) ||
    (sel.categories?.includes(line.category) ?? false);
}
