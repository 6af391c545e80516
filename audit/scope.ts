import { authorizeOrg } from "../auth/access.ts";
import { auditableOrgIds } from "./log.ts";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { notFound } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";

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
