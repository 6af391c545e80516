import type { Role } from "../staff/users.ts";

/**
 * Every role check in the product reads this table: a permission names what is done,
 * and lists the roles allowed to do it.
 */
export const PERMISSIONS = {
  "console:view": ["owner", "admin", "marketing", "support"],
  "staff:read": ["owner", "admin"],
  "staff:manage": ["owner", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
