import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";
import { can, type Permission, type Role } from "./roles.ts";

/** The caller's role in an organization, or null when it is not theirs (or does not exist). */
export async function roleIn(db: Db, staff: StaffUser, orgId: string): Promise<Role | null> {
  if (!isUuid(orgId)) return null;
  if (staff.is_owner) {
    const org = await db.selectFrom("organizations").select("id").where("id", "=", orgId)
      .executeTakeFirst();
    return org ? "owner" : null;
  }
  const m = await db.selectFrom("staff_memberships").select("role")
    .where("staff_id", "=", staff.id).where("org_id", "=", orgId).where("status", "=", "active")
    .executeTakeFirst();
  return m?.role ?? null;
}

export const forbidden = (permission: Permission) =>
  new ProblemError(403, "forbidden", "Your role does not allow this", {
    detail: `requires ${permission}`,
  });

/**
 * 404 when the organization is not the caller's (not 403: that would confirm it exists),
 * 403 when it is but the role lacks the permission.
 */
export async function authorizeOrg(
  db: Db,
  staff: StaffUser,
  orgId: string,
  permission: Permission,
  what = "organization",
): Promise<Role> {
  const role = await roleIn(db, staff, orgId);
  if (!role) throw notFound(what);
  if (!can(role, permission)) throw forbidden(permission);
  return role;
}

/** Organization ids the caller may see; null means all (the owner). */
export async function visibleOrgIds(db: Db, staff: StaffUser): Promise<string[] | null> {
  if (staff.is_owner) return null;
  const rows = await db.selectFrom("staff_memberships").select("org_id")
    .where("staff_id", "=", staff.id).where("status", "=", "active").execute();
  return rows.map((r) => r.org_id);
}
