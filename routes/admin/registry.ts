import { createRoute, z } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { forbidden, visibleOrgIds } from "../../auth/access.ts";
import { IdParam, jsonBody, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import type { DeviceVerifier } from "../../tokens/device_verifier.ts";
import {
  createOrganization,
  deleteOrganization,
  getOrganizationTree,
  listOrganizations,
  updateOrganization,
} from "../../registry/organizations.ts";
import { createPos, deletePos, updatePos } from "../../registry/pos.ts";
import { createSite, deleteSite, updateSite } from "../../registry/sites.ts";
import { createStore, deleteStore, updateStore } from "../../registry/stores.ts";
import {
  ChangeNameStatus,
  ChangeStore,
  NewOrganization,
  NewPos,
  NewSite,
  NewStore,
  OrganizationSchema,
  OrganizationTreeSchema,
  orgJson,
  posJson,
  PosSchema,
  siteJson,
  SiteSchema,
  storeJson,
  StoreSchema,
  treeJson,
} from "../../registry/registry_json.ts";

const V1 = "/api/admin/v1";

/**
 * Disabling (or enabling) anything in the tree changes which device tokens work: this
 * instance forgets its cached token checks at once; others follow within their cache TTL.
 */
function forgetTokenChecks(verifier: DeviceVerifier, change: { status?: string }) {
  if (change.status) verifier.evictAll();
}

const tags = ["Device registry"];
const deleted = { 204: { description: "Deleted" }, ...problems };

/**
 * Organizations → sites → stores → POS. Every handler loads the row, then authorizes on the
 * row's organization: another organization's ids answer 404, a weaker role 403.
 */
export const adminRegistry = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/organizations`,
      tags,
      summary: "Create an organization (installation owner)",
      ...adminAuth,
      request: { body: jsonBody(NewOrganization) },
      responses: { 201: jsonResponse(OrganizationSchema, "Created"), ...problems },
    }),
    async (c) => {
      if (!c.get("staff")!.is_owner) throw forbidden("org:create");
      const org = await createOrganization(
        c.get("deps").db,
        c.req.valid("json").name,
        c.get("staff")!,
      );
      return c.json(orgJson(org), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/organizations`,
      tags,
      summary: "The organizations the caller belongs to (all, for the owner)",
      ...adminAuth,
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrganizationSchema) }), "Organizations"),
        ...problems,
      },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const orgs = await listOrganizations(db, await visibleOrgIds(db, c.get("staff")!));
      return c.json({ items: orgs.map(orgJson) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/organizations/{id}`,
      tags,
      summary: "An organization with its sites, stores and POS as a tree",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(OrganizationTreeSchema, "The tree"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      await authorized(c, "organization", "org:read", id);
      return c.json(treeJson((await getOrganizationTree(db, id))!), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/organizations/{id}`,
      tags,
      summary: "Rename, disable or enable an organization",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ChangeNameStatus) },
      responses: { 200: jsonResponse(OrganizationSchema, "Changed"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      await authorized(c, "organization", "org:manage", id);
      const change = c.req.valid("json");
      const org = await updateOrganization(db, id, change, c.get("staff")!);
      forgetTokenChecks(c.get("deviceTokens"), change);
      return c.json(orgJson(org!), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/organizations/{id}`,
      tags,
      summary: "Delete an organization that has no history (installation owner)",
      ...adminAuth,
      request: { params: IdParam },
      responses: deleted,
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      // Only the owner has org:create; an admin of the organization gets a 403.
      await authorized(c, "organization", "org:create", id);
      await deleteOrganization(db, id, c.get("staff")!);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/organizations/{id}/sites`,
      tags,
      summary: "Add a site (a group of stores) to an organization",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewSite) },
      responses: { 201: jsonResponse(SiteSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { id } = c.req.valid("param");
      await authorized(c, "organization", "registry:manage", id);
      const site = await createSite(db, id, c.req.valid("json").name, c.get("staff")!);
      return c.json(siteJson(site), 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/sites/{id}`,
      tags,
      summary: "Rename, disable or enable a site",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ChangeNameStatus) },
      responses: { 200: jsonResponse(SiteSchema, "Changed"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const site = await authorized(c, "site", "registry:manage");
      const change = c.req.valid("json");
      const changed = await updateSite(db, site, change, c.get("staff")!);
      forgetTokenChecks(c.get("deviceTokens"), change);
      return c.json(siteJson(changed), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/sites/{id}`,
      tags,
      summary: "Delete a site with no stores and no tokens",
      ...adminAuth,
      request: { params: IdParam },
      responses: deleted,
    }),
    async (c) => {
      const { db } = c.get("deps");
      const site = await authorized(c, "site", "registry:manage");
      await deleteSite(db, site, c.get("staff")!);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/sites/{id}/stores`,
      tags,
      summary: "Register a store; its number is unique within the site",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewStore) },
      responses: { 201: jsonResponse(StoreSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const site = await authorized(c, "site", "registry:manage");
      const store = await createStore(db, site, c.req.valid("json"), c.get("staff")!);
      return c.json(storeJson(store), 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/stores/{id}`,
      tags,
      summary: "Rename a store, change its time zone or address, disable or enable it",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ChangeStore) },
      responses: { 200: jsonResponse(StoreSchema, "Changed"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const store = await authorized(c, "store", "registry:manage");
      const change = c.req.valid("json");
      const changed = await updateStore(db, store, change, c.get("staff")!);
      forgetTokenChecks(c.get("deviceTokens"), change);
      return c.json(storeJson(changed), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/stores/{id}`,
      tags,
      summary: "Delete a store with no POS",
      ...adminAuth,
      request: { params: IdParam },
      responses: deleted,
    }),
    async (c) => {
      const { db } = c.get("deps");
      const store = await authorized(c, "store", "registry:manage");
      await deleteStore(db, store, c.get("staff")!);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${V1}/stores/{id}/pos`,
      tags,
      summary: "Register a POS; its number is unique within the store",
      description: "Its name too (any case): a name another POS of the store has is a 409 " +
        "duplicate-name on `name`.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(NewPos) },
      responses: { 201: jsonResponse(PosSchema, "Created"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const store = await authorized(c, "store", "registry:manage");
      const pos = await createPos(db, store, c.req.valid("json"), c.get("staff")!);
      return c.json(posJson(pos), 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${V1}/pos/{id}`,
      tags,
      summary: "Rename, disable or enable a POS (a disabled POS's tokens stop working)",
      description: "A name another POS of the store has (any case) is a 409 duplicate-name on " +
        "`name`.",
      ...adminAuth,
      request: { params: IdParam, body: jsonBody(ChangeNameStatus) },
      responses: { 200: jsonResponse(PosSchema, "Changed"), ...problems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const pos = await authorized(c, "POS", "registry:manage");
      const change = c.req.valid("json");
      const changed = await updatePos(db, pos, change, c.get("staff")!);
      forgetTokenChecks(c.get("deviceTokens"), change);
      return c.json(posJson(changed), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: `${V1}/pos/{id}`,
      tags,
      summary: "Delete a POS that never had a token",
      ...adminAuth,
      request: { params: IdParam },
      responses: deleted,
    }),
    async (c) => {
      const { db } = c.get("deps");
      const pos = await authorized(c, "POS", "registry:manage");
      await deletePos(db, pos, c.get("staff")!);
      return c.body(null, 204);
    },
  );
