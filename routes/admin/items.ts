import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import {
  ItemsUpsertSchema,
  listItems,
  MAX_ITEMS_PER_UPSERT,
  upsertItems,
} from "../../catalogue/items.ts";
import { itemJson, ItemSchema } from "../../catalogue/item_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Items"];

// `.meta`, not `.openapi`: the service builds ItemsUpsertSchema with plain zod.
const Upsert = ItemsUpsertSchema.meta({ id: "ItemsUpsert" });

const ItemQuery = PageQuery.extend({
  q: z.string().max(200, "at most 200 characters").optional().openapi({
    param: { name: "q", in: "query" },
    description: "start of the SKU, or part of the name (any case)",
  }),
  category: z.string().trim().max(64, "at most 64 characters").optional().openapi({
    param: { name: "category", in: "query" },
    description: "only this category (exact)",
  }),
});

export const adminItems = newRouter()
  .openapi(
    createRoute({
      method: "put",
      path: `${V1}/merchant-groups/{id}/items`,
      tags,
      summary: "Create or update items in bulk, by SKU",
      description: `Up to ${MAX_ITEMS_PER_UPSERT} items per call, in one transaction. Unknown ` +
        "SKUs are created, known ones updated; items sent unchanged are counted as unchanged. " +
        "Errors name `items.<i>.<field>`; nothing is written when any item is refused.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(Upsert) },
      responses: {
        200: jsonResponse(
          z.object({
            created: z.number().int(),
            updated: z.number().int(),
            unchanged: z.number().int(),
          }).openapi("ItemsUpserted"),
          "What changed",
        ),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "items:manage");
      return c.json(await upsertItems(db, group, c.req.valid("json").items, c.get("staff")!), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}/items`,
      tags,
      summary: "The group's items, by SKU",
      ...adminAuth,
      request: { params: IdParam, query: ItemQuery },
      responses: { 200: jsonResponse(pageOf(ItemSchema), "A page of items"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      const { q, category, limit, cursor } = c.req.valid("query");
      const rows = await listItems(db, group, {
        q,
        category: category || undefined,
        limit: limit + 1,
        afterSku: decodeCursor(cursor, ["text"])?.[0],
      });
      const result = page(rows, limit, (i) => [i.sku]);
      return c.json({ items: result.items.map(itemJson), nextCursor: result.nextCursor }, 200);
    },
  );
