import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { visibleOrgIds } from "../../auth/access.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems, Uuid } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { notFound } from "../../errors/problem.ts";
import { createGroup, listGroups } from "../../programme/groups.ts";
import {
  addMerchantToGroup,
  addStoreToMerchant,
  createMerchant,
  getMerchant,
  listMerchants,
  merchantStores,
} from "../../programme/merchants.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import type { Db } from "../../db/connection.ts";
import type { StaffUser } from "../../staff/users.ts";
import { posJson, storeJson } from "../../registry/registry_json.ts";
import {
  groupJson,
  GroupSchema,
  MerchantDetailSchema,
  merchantJson,
  MerchantSchema,
} from "../../programme/programme_json.ts";

const V1 = "/api/admin/v1";
const tags = ["Merchants"];
const Name = z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters");
const ListQuery = PageQuery.extend({
  organizationId: Uuid.optional().openapi({
    param: { name: "organizationId", in: "query" },
    description: "only this organization's",
  }),
});

/** The organizations a list covers: the caller's, narrowed to one when asked. */
async function orgScope(db: Db, staff: StaffUser, organizationId?: string) {
  const visible = await visibleOrgIds(db, staff);
  if (!organizationId) return visible;
  if (visible && !visible.includes(organizationId)) return [];
  return [organizationId];
}

export const adminProgramme = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchant-groups`,
      tags,
      summary: "Create a merchant group: a loyalty programme, with default settings",
      ...adminAuth,
      request: {
        body: jsonBody(
          z.object({ organizationId: z.string(), name: Name }).strict().openapi("NewMerchantGroup"),
        ),
      },
      responses: { 201: jsonResponse(GroupSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { organizationId, name } = c.req.valid("json");
      await authorized(c, "organization", "merchants:manage", organizationId);
      const group = await createGroup(db, { orgId: organizationId, name, actor: c.get("staff")! });
      return c.json(groupJson(group), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups`,
      tags,
      summary: "Merchant groups of the caller's organizations",
      ...adminAuth,
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(pageOf(GroupSchema), "A page of groups"),
        ...problems,
      },
    }),
    async (c) => {
      const { organizationId, limit, cursor } = c.req.valid("query");
      const orgIds = await orgScope(c.get("deps").db, c.get("staff")!, organizationId);
      const after = decodeCursor(cursor, ["text", "id"]);
      const rows = await listGroups(c.get("deps").db, { orgIds, after, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (g) => [g.name, g.id]);
      return c.json({ items: items.map(groupJson), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchant-groups/{id}`,
      tags,
      summary: "A merchant group with its merchants",
      ...adminAuth,
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          GroupSchema.extend({ merchants: z.array(MerchantSchema) }),
          "The group",
        ),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "programme:read");
      // A group has a handful of merchants: all of them, in one answer.
      const merchants = await listMerchants(db, {
        orgIds: [group.org_id],
        groupId: group.id,
        limit: 1000,
      });
      return c.json({ ...groupJson(group), merchants: merchants.map(merchantJson) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchants`,
      tags,
      summary: "Create a merchant linked to registered stores of its organization",
      ...adminAuth,
      request: {
        body: jsonBody(
          z.object({
            organizationId: z.string(),
            name: Name,
            storeIds: z.array(z.string()).min(1, "link at least one store").max(500),
          }).strict().openapi("NewMerchant"),
        ),
      },
      responses: { 201: jsonResponse(MerchantSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const body = c.req.valid("json");
      await authorized(c, "organization", "merchants:manage", body.organizationId);
      const merchant = await createMerchant(db, {
        orgId: body.organizationId,
        name: body.name,
        storeIds: body.storeIds,
        actor: c.get("staff")!,
      });
      return c.json(merchantJson(merchant), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchants`,
      tags,
      summary: "Merchants of the caller's organizations",
      ...adminAuth,
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(pageOf(MerchantSchema), "A page of merchants"),
        ...problems,
      },
    }),
    async (c) => {
      const { organizationId, limit, cursor } = c.req.valid("query");
      const orgIds = await orgScope(c.get("deps").db, c.get("staff")!, organizationId);
      const after = decodeCursor(cursor, ["text", "id"]);
      const rows = await listMerchants(c.get("deps").db, { orgIds, after, limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (m) => [m.name, m.id]);
      return c.json({ items: items.map(merchantJson), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/merchants/{id}`,
      tags,
      summary: "A merchant with its stores and every POS of them",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(MerchantDetailSchema, "The merchant"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const merchant = await authorized(c, "merchant", "programme:read");
      const stores = await merchantStores(db, merchant);
      return c.json({
        ...merchantJson(merchant),
        stores: stores.map((s) => ({ ...storeJson(s), pos: s.pos.map(posJson) })),
      }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchants/{id}/stores`,
      tags,
      summary: "Link one more registered store to a merchant",
      description: "The store must be of the merchant's organization (422 on storeId) and " +
        "belong to no merchant yet (409 store-taken). Its POS then run in the merchant's " +
        "group. Answers the merchant with its stores; one audit entry.",
      ...adminAuth,
      request: {
        params: IdParam,
        body: jsonBody(z.object({ storeId: z.string() }).strict().openapi("MerchantStore")),
      },
      responses: {
        201: jsonResponse(MerchantDetailSchema, "The merchant with its stores"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const merchant = await authorized(c, "merchant", "merchants:manage");
      await addStoreToMerchant(db, merchant, c.req.valid("json").storeId, c.get("staff")!);
      const stores = await merchantStores(db, merchant);
      return c.json({
        ...merchantJson(merchant),
        stores: stores.map((s) => ({ ...storeJson(s), pos: s.pos.map(posJson) })),
      }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/merchant-groups/{id}/merchants`,
      tags,
      summary: "Add a merchant to the group (the merchant's POS become usable)",
      ...adminAuth,
      request: {
        params: IdParam,
        body: jsonBody(z.object({ merchantId: z.string() }).strict().openapi("GroupMerchant")),
      },
      responses: {
        200: jsonResponse(MerchantSchema, "The merchant, now in the group"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const group = await authorized(c, "merchant group", "merchants:manage");
      const merchant = await getMerchant(db, c.req.valid("json").merchantId);
      if (!merchant || merchant.org_id !== group.org_id) {
        throw notFound("merchant");
      }
      return c.json(
        merchantJson(await addMerchantToGroup(db, group, merchant, c.get("staff")!)),
        200,
      );
    },
  );
