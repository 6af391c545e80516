import type { Selectable } from "kysely";
import { authorizeOrg } from "../auth/access.ts";
import type { Permission } from "../auth/roles.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { MerchantGroupTable } from "../db/schema.ts";
import { notFound } from "../http/problem.ts";
import type { StaffUser } from "../staff/users.ts";

export type MerchantGroup = Selectable<MerchantGroupTable>;

export async function getGroup(db: Db, id: string): Promise<MerchantGroup | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("merchant_groups").selectAll().where("id", "=", id)
    .executeTakeFirst();
}

/**
 * The merchant group (the loyalty programme) behind an admin call: 404 when it does not
 * exist or belongs to an organization that is not the caller's, 403 for a weaker role.
 */
export async function authorizeGroup(
  db: Db,
  staff: StaffUser,
  groupId: string,
  permission: Permission,
): Promise<MerchantGroup> {
  const group = await getGroup(db, groupId);
  if (!group) throw notFound("merchant group");
  await authorizeOrg(db, staff, group.org_id, permission, "merchant group");
  return group;
}
