import { z } from "@hono/zod-openapi";
import type { Selectable } from "kysely";
import { isUuid } from "../db/errors.ts";
import type { AuditLogTable } from "../db/schema.ts";
import { decodeCursor, page, PageQuery } from "../http/pagination.ts";
import type { Db } from "../db/connection.ts";
import { listAudit } from "./log.ts";

export const query = (name: string, description: string) => ({
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

export const JsonValue = z.unknown().openapi({ description: "any JSON value" });

export const AuditEntrySchema = z.object({
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
