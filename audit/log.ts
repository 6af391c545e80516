import { sql } from "kysely";
import { PERMISSIONS } from "../auth/roles.ts";
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

/** Who made a change: a staff user, or (id null) a person not signed in, named as they typed. */
export interface AuditActor {
  id: string | null;
  email: string;
}

export interface AuditInput {
  /** Null for an installation-wide change (signing keys, the sign-in limit). */
  orgId: string | null;
  entity: string;
  entityId: string;
  action: string;
  actor: AuditActor;
  /** What people call the entity (a store's name, a card's number), kept as it was then. */
  label?: string;
  before: Json | null;
  after: Json | null;
}

/** Appends an audit entry; call it inside the transaction that makes the change. */
export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  // A creation (or deletion) lists each field set (or cleared), not one whole-object value.
  const none = (other: Json | null) =>
    typeof other === "object" && other !== null && !Array.isArray(other) ? {} : undefined;
  const diff = jsonDiff(input.before ?? none(input.after), input.after ?? none(input.before));
  await db.insertInto("audit_log").values({
    org_id: input.orgId,
    entity: input.entity,
    entity_id: input.entityId,
    entity_label: input.label ?? null,
    action: input.action,
    actor_id: input.actor.id,
    actor_label: input.actor.email,
    before: input.before === null ? null : JSON.stringify(input.before),
    after: input.after === null ? null : JSON.stringify(input.after),
    diff: JSON.stringify(
      diff.map((d) => ({ ...d, before: d.before ?? null, after: d.after ?? null })),
    ),
  }).execute();
}

export interface AuditQuery {
  orgIds: string[] | null;
  entity?: string;
  entityId?: string;
  actorId?: string;
  /** Entries at or after this time, and before `until`. */
  since?: Date;
  until?: Date;
  /** Keyset cursor: the id of the last entry of the previous page. */
  after?: string;
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
  if (q.since) query = query.where("at", ">=", q.since);
  if (q.until) query = query.where("at", "<", q.until);
  if (q.after) {
    // The cursor names a row rather than carrying its time: timestamps are microseconds in
    // Postgres and milliseconds in JavaScript, so a time in the cursor would skip entries.
    query = query.where(sql<boolean>`(audit_log.at, audit_log.id) < (
      select last.at, last.id from audit_log as last where last.id = ${q.after})`);
  }
  return await query.execute();
}

/** The organizations whose audit log the caller may read; null means all (the owner). */
export async function auditableOrgIds(db: Db, staff: StaffUser): Promise<string[] | null> {
  if (staff.is_owner) return null;
  const rows = await db.selectFrom("staff_memberships").select("org_id")
    .where("staff_id", "=", staff.id).where("status", "=", "active")
    .where("role", "in", PERMISSIONS["audit:read"]).execute();
  return rows.map((r) => r.org_id);
}

/** The entities and the staff that appear in these organizations' log, for filters. */
export async function auditFacets(db: Db, orgIds: string[] | null) {
  if (orgIds && orgIds.length === 0) return { entities: [], actors: [] };
  let entities = db.selectFrom("audit_log").select("entity").distinct().orderBy("entity");
  let actors = db.selectFrom("audit_log").select(["actor_id", "actor_label"]).distinct()
    .where("actor_id", "is not", null).orderBy("actor_label");
  if (orgIds) {
    entities = entities.where("org_id", "in", orgIds);
    actors = actors.where("org_id", "in", orgIds);
  }
  const [e, a] = await Promise.all([entities.execute(), actors.execute()]);
  return {
    entities: e.map((r) => r.entity),
    actors: a.map((r) => ({ id: r.actor_id!, label: r.actor_label })),
  };
}
