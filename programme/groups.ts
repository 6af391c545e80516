import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { afterNameAndId } from "../db/keyset.ts";
import type { MerchantGroupTable } from "../db/schema.ts";
import type { StaffUser } from "../staff/users.ts";
import { recordAudit } from "../audit/log.ts";
import { DEFAULT_SETTINGS } from "./settings_schema.ts";
import { inTransaction } from "../db/transaction.ts";

export type MerchantGroup = Selectable<MerchantGroupTable>;

export async function getGroup(db: Db, id: string): Promise<MerchantGroup | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("merchant_groups").selectAll().where("id", "=", id)
    .executeTakeFirst();
}

/** A new programme starts with the default settings at version 1. */
export async function createGroup(
  db: Db,
  input: { orgId: string; name: string; actor: Pick<StaffUser, "id" | "email"> },
): Promise<MerchantGroup> {
  return await inTransaction(db, async (tx) => {
    const group = await tx.insertInto("merchant_groups")
      .values({ org_id: input.orgId, name: input.name })
      .returningAll().executeTakeFirstOrThrow();
    await tx.insertInto("loyalty_settings").values({
      group_id: group.id,
      org_id: input.orgId,
      version: 1,
      settings: JSON.stringify(DEFAULT_SETTINGS),
      updated_by: input.actor.id,
    }).execute();
    await recordAudit(tx, {
      orgId: input.orgId,
      entity: "merchant-group",
      entityId: group.id,
      label: group.name,
      action: "create",
      actor: input.actor,
      before: null,
      after: { name: group.name },
    });
    return group;
  });
}

/** A page of groups ordered by name; `orgIds` null → every organization (the owner). */
export async function listGroups(
  db: Db,
  q: { orgIds: string[] | null; after?: string[]; limit: number },
): Promise<MerchantGroup[]> {
  if (q.orgIds && q.orgIds.length === 0) return [];
  let query = db.selectFrom("merchant_groups").selectAll().orderBy("name").orderBy("id")
    .limit(q.limit);
  if (q.orgIds) query = query.where("org_id", "in", q.orgIds);
  if (q.after) query = query.where(afterNameAndId(q.after));
  return await query.execute();
}

/** Group names by id (the audit log names a group's settings and rules by the group). */
export async function groupNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const uuids = [...new Set(ids.filter(isUuid))];
  if (!uuids.length) return new Map();
  const rows = await db.selectFrom("merchant_groups").select(["id", "name"])
    .where("id", "in", uuids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
