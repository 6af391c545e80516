import { z } from "@hono/zod-openapi";
import { type Item } from "./items.ts";
import { MinorUnits } from "../money/minor_units.ts";

export const ItemSchema = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  prices: z.array(MinorUnits).openapi({
    description: "sell price levels 1–5",
    example: [1999, 1799, 1599, 1499, 1299],
  }),
  updatedAt: z.string().openapi({ format: "date-time" }),
}).openapi("Item");

export const itemJson = (i: Item) => ({
  id: i.id,
  sku: i.sku,
  name: i.name,
  category: i.category,
  prices: i.prices,
  updatedAt: new Date(i.updated_at).toISOString(),
});
