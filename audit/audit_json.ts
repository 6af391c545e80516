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

const Day = (name: "from" | "to", description: string) =>
  z.iso.date("a date such as 2026-01-31").optional().openapi(query(name, description));

export const AuditFilter = PageQuery.extend({
  entity: z.string().max(60, "at most 60 characters").optional()
    .openapi(query("entity", "e.g. `store`, `staff`, `loyalty-settings`, `instrument`")),
  entityId: z.string().max(200, "at most 200 characters").optional()
    .openapi(query("entityId", "the id of the changed thing, e.g. a merchant group id")),
  actorId: z.string().refine(isUuid, "not a staff id").optional()
    .openapi(query("actorId", "only changes made by this staff member")),
  organizationId: z.string().optional()
    .openapi(query("organizationId", "only this organization's (404 when it is not yours)")),
  from: Day("from", "only entries from this day (UTC) on"),
  to: Day("to", "only entries up to this day (UTC), included"),
}).refine((q) => !q.from || !q.to || q.from <= q.to, {
  path: ["to"],
  message: "must not be before from",
});

export const JsonValue = z.unknown().openapi({ description: "any JSON value" });

export const AuditEntrySchema = z.object({
  id: z.string(),
  organizationId: z.string().nullable().openapi({
    description: "null for installation-wide changes (signing keys, sign-ins refused)",
  }),
  entity: z.string(),
  entityId: z.string(),
  label: z.string().nullable().openapi({
    description: "what the changed thing was called then (a store's name, a card's number)",
  }),
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
  label: r.entity_label,
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
  filter: {
    entity?: string;
    entityId?: string;
    actorId?: string;
    from?: string;
    to?: string;
    cursor?: string;
    limit: number;
  },
) {
  const after = decodeCursor(filter.cursor, ["id"])?.[0];
  const { from, to, ...rest } = filter;
  const rows = await listAudit(db, {
    ...rest,
    orgIds,
    after,
    since: from ? new Date(`${from}T00:00:00Z`) : undefined,
    until: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : undefined,
    limit: filter.limit + 1,
  });
  return page(rows, filter.limit, (r) => [r.id]);
}
