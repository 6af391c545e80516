import { createRoute } from "@hono/zod-openapi";
import { jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { pageOf } from "../../http/pagination.ts";
import { AuditEntrySchema, AuditFilter, auditJson } from "../../audit/audit_json.ts";
import { auditScope } from "../../audit/scope.ts";
import { auditPage } from "../../audit/audit_json.ts";

const V1 = "/api/admin/v1";

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
      const { db } = c.get("deps");
      const { organizationId, ...filter } = c.req.valid("query");
      const orgIds = await auditScope(db, c.get("staff")!, organizationId);
      const { items, nextCursor } = await auditPage(db, orgIds, filter);
      return c.json({ items: items.map(auditJson), nextCursor }, 200);
    },
  );
