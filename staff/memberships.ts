import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { OrgRole } from "../db/schema.ts";
import { ProblemError } from "../http/problem.ts";
import { hashPassword } from "./password.ts";
import { randomToken, sha256 } from "../crypto/random.ts";
import { staffColumns, type StaffUser } from "./users.ts";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface Member extends StaffUser {
  role: OrgRole;
  /** False until an invited user has set a password. */
  active: boolean;
}

export async function listMembers(db: Db, orgId: string): Promise<Member[]> {
  const rows = await db.selectFrom("staff_memberships as m")
    .innerJoin("staff_users as u", "u.id", "m.staff_id")
    .select([
      "u.id",
      "u.email",
      "u.name",
      "u.is_owner",
      "u.created_at",
      "m.role",
      sql<boolean>`u.password_hash is not null`.as("active"),
    ])
    .where("m.org_id", "=", orgId)
    .orderBy("u.name")
    .execute();
  return rows;
}

/**
 * Adds a person to an organization. A new email becomes a staff user without a password and
 * gets a one-time invitation token (returned once, stored hashed); an existing user who has
 * not accepted an earlier invitation gets a fresh one.
 */
export async function inviteMember(
  db: Db,
  input: { orgId: string; email: string; name: string; role: OrgRole; invitedBy: string },
): Promise<{ member: Member; inviteToken: string | null }> {
  return await db.transaction().execute(async (tx) => {
    const email = input.email.trim();
    let user = await tx.selectFrom("staff_users").select([...staffColumns, "password_hash"])
      .where(sql<string>`lower(email)`, "=", email.toLowerCase()).executeTakeFirst();
    if (!user) {
      user = await tx.insertInto("staff_users")
        .values({ email, name: input.name.trim(), password_hash: null })
        .returning([...staffColumns, "password_hash"]).executeTakeFirstOrThrow();
    }
    if (user.is_owner) {
      throw new ProblemError(409, "already-member", "The owner already has every organization", {
        errors: [{ field: "email", message: "this is the installation owner" }],
      });
    }
    const added = await tx.insertInto("staff_memberships")
      .values({ staff_id: user.id, org_id: input.orgId, role: input.role })
      .onConflict((oc) => oc.columns(["staff_id", "org_id"]).doNothing())
      .returning("staff_id").executeTakeFirst();
    if (!added) {
      throw new ProblemError(409, "already-member", "This person is already a member", {
        errors: [{ field: "email", message: "already a member of this organization" }],
      });
    }
    let inviteToken: string | null = null;
    if (!user.password_hash) {
      inviteToken = randomToken();
      await tx.insertInto("staff_invites").values({
        token_hash: await sha256(inviteToken),
        staff_id: user.id,
        org_id: input.orgId,
        created_by: input.invitedBy,
        expires_at: new Date(Date.now() + INVITE_TTL_MS),
      }).execute();
    }
    const { password_hash, ...staff } = user;
    return { member: { ...staff, role: input.role, active: password_hash !== null }, inviteToken };
  });
}

export async function removeMember(db: Db, orgId: string, staffId: string): Promise<boolean> {
  if (!isUuid(staffId)) return false;
  const res = await db.deleteFrom("staff_memberships").where("org_id", "=", orgId)
    .where("staff_id", "=", staffId).executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/** The invitation behind a token, while it is unused and unexpired. */
export async function findInvite(db: Db, token: string) {
  return await db.selectFrom("staff_invites as i")
    .innerJoin("staff_users as u", "u.id", "i.staff_id")
    .select(["i.token_hash", "i.staff_id", "u.email", "u.name"])
    .where("i.token_hash", "=", await sha256(token))
    .where("i.used_at", "is", null)
    .where("i.expires_at", ">", new Date())
    .executeTakeFirst();
}

/** Sets the invited user's password; the token works once. */
export async function acceptInvite(db: Db, token: string, password: string) {
  const invite = await findInvite(db, token);
  if (!invite) return null;
  const password_hash = await hashPassword(password);
  return await db.transaction().execute(async (tx) => {
    const used = await tx.updateTable("staff_invites").set({ used_at: new Date() })
      .where("token_hash", "=", invite.token_hash).where("used_at", "is", null)
      .returning("staff_id").executeTakeFirst();
    if (!used) return null;
    await tx.updateTable("staff_users").set({ password_hash }).where("id", "=", invite.staff_id)
      .execute();
    return invite.staff_id;
  });
}
