import type { OrgRole } from "../db/schema.ts";

/** The installation owner, or a member's role in one organization. */
export type Role = "owner" | OrgRole;

/**
 * Every role check in the product reads this table: a permission names what is done and
 * lists the organization roles allowed to do it. The owner may do everything.
 */
export const PERMISSIONS = {
  "org:create": [],
  "org:read": ["admin", "marketing", "support"],
  "org:manage": ["admin"],
  "registry:manage": ["admin"],
  "tokens:manage": ["admin"],
  "staff:read": ["admin"],
  "staff:manage": ["admin"],
  "programme:read": ["admin", "marketing", "support"],
  "merchants:manage": ["admin"],
  "settings:manage": ["admin", "marketing"],
  "series:manage": ["admin", "marketing"],
  /** Activating (loads money), unblocking and voiding an instrument. */
  "instruments:manage": ["admin", "marketing"],
  /** Blocking a card moves no value and protects a lost one: support may do it too. */
  "instruments:block": ["admin", "marketing", "support"],
  "customers:manage": ["admin", "marketing"],
  /** The member export: every member's contact details at once. */
  "customers:export": ["admin", "marketing"],
  /** Manual points adjustments: value moves, so support (which may read) may not. */
  "points:adjust": ["admin", "marketing"],
  "items:manage": ["admin", "marketing"],
  /** Wholesale back-office orders: accepting one records a sale. */
  "wholesale:manage": ["admin", "marketing"],
  "rules:manage": ["admin", "marketing"],
  "audit:read": ["admin", "marketing"],
} as const satisfies Record<string, readonly OrgRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return role === "owner" || (PERMISSIONS[permission] as readonly OrgRole[]).includes(role);
}

/** What each staff move of an instrument needs (see the two instrument permissions). */
export const INSTRUMENT_MOVE_PERMISSIONS = {
  activate: "instruments:manage",
  block: "instruments:block",
  unblock: "instruments:manage",
  void: "instruments:manage",
} as const satisfies Record<string, Permission>;
