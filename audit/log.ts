import type { Db } from "../db/connection.ts";
import type { Json } from "../db/schema.ts";
import type { StaffUser } from "../staff/users.ts";

/** One changed leaf: its dotted path, and the values before and after. */
export interface Change {
  path: string;
  before: Json | undefined;
  after: Json | undefined;
}

/** The leaves that differ between two JSON values (arrays compare as whole values). */
export function jsonDiff(before: Json | undefined, after: Json | undefined, path = ""): Change[] {
  const isObject = (v: Json | undefined): v is { [k: string]: Json } =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || "(value)", before, after }];
}

export interface AuditInput {
  orgId: string;
  entity: string;
  entityId: string;
  action: string;
  actor: Pick<StaffUser, "id" | "email">;
  before: Json | null;
  after: Json | null;
}

/** Appends an audit entry; call it inside the transaction that makes the change. */
export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  const diff = jsonDiff(input.before ?? undefined, input.after ?? undefined);
  await db.insertInto("audit_log").values({
    org_id: input.orgId,
    entity: input.entity,
    entity_id: input.entityId,
    action: input.action,
    actor_id: input.actor.id,
    actor_label: input.actor.email,
    before: input.before === null ? null : JSON.stringify(input.before),
    after: input.after === null ? null : JSON.stringify(input.after),
    diff: JSON.stringify(diff.map((d) => ({ ...d, before: d.before ?? null, after: d.after ?? null }))),
  }).execute();
}

export interface AuditQuery {
  orgIds: string[] | null;
  entity?: string;
  entityId?: string;
  actorId?: string;
  /** Keyset cursor: entries strictly older than this `at|id`. */
  cursor?: { at: Date; id: string };
  limit: number;
}

/** Newest first, filtered, a page at a time. */
export async function listAudit(db: Db, q: AuditQuery) {
  if (q.orgIds && q.orgIds.length === 0) return [];
  let query = db.selectFrom("audit_log").selectAll().orderBy("at", "desc").orderBy("id", "desc")
    .limit(q.limit);
  if (q.orgIds) query = query.where("org_id", "in", q.orgIds);
  if (q.entity) query = query.where("entity", "=", q.entity);
  if (q.entityId) query = query.where("entity_id", "=", q.entityId);
  if (q.actorId) query = query.where("actor_id", "=", q.actorId);
  if (q.cursor) {
    const { at, id } = q.cursor;
    query = query.where((eb) =>
      eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])])
    );
  }
  return await query.execute();
}
