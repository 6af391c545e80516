import { createRoute, z } from "@hono/zod-openapi";
import type { Selectable } from "kysely";
import { authorizeOrg } from "../../auth/access.ts";
import { auditableOrgIds, listAudit } from "../../audit/log.ts";
import type { Db } from "../../db/connection.ts";
import { isUuid } from "../../db/errors.ts";
import type { AuditLogTable } from "../../db/schema.ts";
import { adminAuth, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { decodeCursor, page, pageOf, PageQuery } from "../../http/pagination.ts";
import { notFound } from "../../errors/problem.ts";
import type { StaffUser } from "../../staff/users.ts";

const V1 = "/api/admin/v1";

const query = (name: string, description: string) => ({
  param: { name, in: "query" as const },
  description,
});

export const AuditFilter = PageQuery.extend({
  entity: z.string().max(60, "at most 60 characters").optional()
    .openapi(query("entity", "e.g. `loyalty-settings`, `merchant-group`, `merchant`")),
  entityId: z.string().max(200, "at most 200 characters").optional()
    .openapi(query("entityId", "the id of the changed thing, e.g. a merchant group id")),
  actorId: z.string().refine(isUuid, "not a staff id").optional()
    .openapi(query("actorId", "only changes made by this staff member")),
  organizationId: z.string().optional()
    .openapi(query("organizationId", "only this organization's (404 when it is not yours)")),
});

const JsonValue = z.unknown().openapi({ description: "any JSON value" });
const AuditEntrySchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  entity: z.string(),
  entityId: z.string(),
  action: z.string().openapi({ example: "update" }),
  actor: z.object({
    id: z.string().nullable().openapi({ description: "null once the staff user is deleted" }),
    label: z.string().openapi({ description: "their email at the time" }),
  }),
  at: z.string().openapi({ format: "date-time" }),
  before: JsonValue,
  after: JsonValue,
  diff: z.array(z.object({ path: z.string(), before: JsonValue, after: JsonValue })).openapi({
    description: "each changed leaf: its dotted path, the value before and after (null when " +
      "absent); arrays compare as whole values",
  }),
}).openapi("AuditEntry");

export type AuditRow = Selectable<AuditLogTable>;

export const auditJson = (r: AuditRow) => ({
  id: r.id,
  organizationId: r.org_id,
  entity: r.entity,
  entityId: r.entity_id,
  action: r.action,
  actor: { id: r.actor_id, label: r.actor_label },
  at: new Date(r.at).toISOString(),
  before: r.before,
  after: r.after,
  diff: r.diff as { path: string; before: unknown; after: unknown }[],
});

/**
 * The organizations an audit query covers: those where the caller may read the log, or the
 * one asked for (404 when it is not theirs, 403 when their role there cannot read the log).
 */
export async function auditScope(db: Db, staff: StaffUser, organizationId?: string) {
  if (organizationId === undefined) return await auditableOrgIds(db, staff);
  if (!isUuid(organizationId)) throw notFound("organization");
  await authorizeOrg(db, staff, organizationId, "audit:read");
  return [organizationId];
}

/** A page of the audit log: the cursor is the id of the last entry shown. */
export async function auditPage(
  db: Db,
  orgIds: string[] | null,
  filter: { entity?: string; entityId?: string; actorId?: string; cursor?: string; limit: number },
) {
  const after = decodeCursor(filter.cursor, ["id"])?.[0];
  const rows = await listAudit(db, { ...filter, orgIds, after, limit: filter.limit + 1 });
  return page(rows, filter.limit, (r) => [r.id]);
}

export const adminAudit = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/audit`,
      tags: ["Audit log"],
      summary: "Changes made in the caller's organizations, newest first",
      description: "Covers the organizations where the caller's role may read the audit log; " +
        "other organizations' entries never appear.",
      ...adminAuth,
      request: { query: AuditFilter },
      responses: { 200: jsonResponse(pageOf(AuditEntrySchema), "A page of entries"), ...problems },
    }),
    async (c) => {
      const { db } = c.var.deps;
      const { organizationId, ...filter } = c.req.valid("query");
      const orgIds = await auditScope(db, c.var.staff!, organizationId);
      const { items, nextCursor } = await auditPage(db, orgIds, filter);
      return c.json({ items: items.map(auditJson), nextCursor }, 200);
    },
  );
