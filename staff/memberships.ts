import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { OrgRole } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";
import { hashPassword } from "./password.ts";
import { randomToken, sha256 } from "../crypto/random.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A person as an organization sees them: nothing of their account beyond this membership. */
export interface Member {
  id: string;
  email: string;
  name: string;
  role: OrgRole;
  /** False while the invitation is pending; only an active membership grants anything. */
  active: boolean;
}

export async function listMembers(db: Db, orgId: string): Promise<Member[]> {
  const rows = await db.selectFrom("staff_memberships as m")
    .innerJoin("staff_users as u", "u.id", "m.staff_id")
    .select([
      "u.id",
      "u.email",
      // A pending member is shown as the inviter named them: an account's own name is its
      // owner's to reveal, by accepting.
      sql<string>`case when m.status = 'active' then u.name else coalesce(m.invited_name, '') end`
        .as("name"),
      "m.role",
      sql<boolean>`m.status = 'active'`.as("active"),
    ])
    .where("m.org_id", "=", orgId)
    .orderBy("name")
    .execute();
  return rows;
}

/**
 * Invites a person to an organization: a PENDING membership and a one-time link, whether or
 * not the email already has an account — the answer is the same either way, so an invitation
 * reveals nothing about other tenants' staff. The link lets a person without a password choose
 * one; a person who has a password accepts by signing in. Nothing is granted until then.
 */
export async function inviteMember(
  db: Db,
  input: {
    orgId: string;
    email: string;
    name: string;
    role: OrgRole;
    invitedBy: { id: string; email: string };
  },
): Promise<{ member: Member; inviteToken: string }> {
  const email = input.email.trim();
  const name = input.name.trim();
  return await inTransaction(db, async (tx) => {
    // Concurrent first invitations of one email: the losers wait here and then find the row.
    await tx.insertInto("staff_users").values({ email, name, password_hash: null })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing()).execute();
    const user = await tx.selectFrom("staff_users").select("id")
      .where(sql<string>`lower(email)`, "=", email.toLowerCase()).executeTakeFirstOrThrow();
    const added = await tx.insertInto("staff_memberships")
      .values({
        staff_id: user.id,
        org_id: input.orgId,
        role: input.role,
        status: "pending",
        invited_name: name,
      })
      .onConflict((oc) => oc.columns(["staff_id", "org_id"]).doNothing())
      .returning("staff_id").executeTakeFirst();
    if (!added) {
      throw new ProblemError(409, "already-member", "This person is already a member", {
        errors: [{ field: "email", message: "already a member of this organization" }],
      });
    }
    const inviteToken = randomToken();
    await tx.insertInto("staff_invites").values({
      token_hash: sha256(inviteToken),
      staff_id: user.id,
      org_id: input.orgId,
      created_by: input.invitedBy.id,
      expires_at: new Date(Date.now() + INVITE_TTL_MS),
    }).execute();
    await recordAudit(tx, {
      orgId: input.orgId,
      entity: "staff",
      entityId: user.id,
      label: email,
      action: "invite",
      actor: input.invitedBy,
      before: null,
      after: { name, role: input.role, status: "pending" },
    });
    return { member: { id: user.id, email, name, role: input.role, active: false }, inviteToken };
  });
}

export async function removeMember(
  db: Db,
  orgId: string,
  staffId: string,
  actor: AuditActor,
): Promise<boolean> {
  if (!isUuid(staffId)) return false;
  return await inTransaction(db, async (tx) => {
    const gone = await tx.deleteFrom("staff_memberships").where("org_id", "=", orgId)
      .where("staff_id", "=", staffId).returning(["role", "status"]).executeTakeFirst();
    if (!gone) return false;
    const user = await tx.selectFrom("staff_users").select("email").where("id", "=", staffId)
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId,
      entity: "staff",
      entityId: staffId,
      label: user.email,
      action: "remove",
      actor,
      before: { role: gone.role, status: gone.status },
      after: null,
    });
    return true;
  });
}

export interface Invite {
  tokenHash: string;
  staffId: string;
  orgId: string;
  organization: string;
  email: string;
  /** The name the inviter typed. */
  name: string;
  role: OrgRole;
  /** The account has a password: the invitation is accepted by signing in, never by a form. */
  hasPassword: boolean;
}

/** The invitation behind a token, while it is unused, unexpired and its membership pending. */
export async function findInvite(db: Db, token: string): Promise<Invite | undefined> {
  const row = await db.selectFrom("staff_invites as i")
    .innerJoin("staff_users as u", "u.id", "i.staff_id")
    .innerJoin("organizations as o", "o.id", "i.org_id")
    .innerJoin(
      "staff_memberships as m",
      (j) => j.onRef("m.staff_id", "=", "i.staff_id").onRef("m.org_id", "=", "i.org_id"),
    )
    .select([
      "i.token_hash",
      "i.staff_id",
      "i.org_id",
      "o.name as organization",
      "u.email",
      "m.invited_name",
      "m.role",
      sql<boolean>`u.password_hash is not null`.as("has_password"),
    ])
    .where("i.token_hash", "=", sha256(token))
    .where("i.used_at", "is", null)
    .where("i.expires_at", ">", new Date())
    .where("m.status", "=", "pending")
    .executeTakeFirst();
  return row && {
    tokenHash: row.token_hash,
    staffId: row.staff_id,
    orgId: row.org_id,
    organization: row.organization,
    email: row.email,
    name: row.invited_name ?? "",
    role: row.role,
    hasPassword: row.has_password,
  };
}

/** Uses the invitation once and activates its membership; false when it was used meanwhile. */
async function useInvite(tx: Db, invite: Invite): Promise<boolean> {
  const used = await tx.updateTable("staff_invites").set({ used_at: new Date() })
    .where("token_hash", "=", invite.tokenHash).where("used_at", "is", null)
    .returning("staff_id").executeTakeFirst();
  if (!used) return false;
  await tx.updateTable("staff_memberships").set({ status: "active" })
    .where("staff_id", "=", invite.staffId).where("org_id", "=", invite.orgId).execute();
  await recordAudit(tx, {
    orgId: invite.orgId,
    entity: "staff",
    entityId: invite.staffId,
    label: invite.email,
    action: "accept",
    actor: { id: invite.staffId, email: invite.email },
    before: { role: invite.role, status: "pending" },
    after: { role: invite.role, status: "active" },
  });
  return true;
}

/**
 * A person without a password chooses one through the link. Only while the account has no
 * password: once one is set (through this or any other invitation) no link can set or reset
 * it, so every other outstanding link of the account stops working for that.
 */
export async function acceptInviteWithPassword(
  db: Db,
  token: string,
  password: string,
): Promise<string | null> {
  const invite = await findInvite(db, token);
  if (!invite || invite.hasPassword) return null;
  const password_hash = await hashPassword(password);
  return await inTransaction(db, async (tx) => {
    const set = await tx.updateTable("staff_users").set({ password_hash })
      .where("id", "=", invite.staffId).where("password_hash", "is", null)
      .returning("id").executeTakeFirst();
    if (!set || !(await useInvite(tx, invite))) {
      // Either the account got a password meanwhile or the link was used: change nothing.
      throw new InviteRefused();
    }
    return invite.staffId;
  }).catch((err) => {
    if (err instanceof InviteRefused) return null;
    throw err;
  });
}

/** A signed-in person accepts an invitation addressed to their own account. */
export async function acceptInviteAsStaff(
  db: Db,
  token: string,
  staffId: string,
): Promise<Invite | null> {
  const invite = await findInvite(db, token);
  if (!invite || invite.staffId !== staffId) return null;
  return await inTransaction(db, (tx) => useInvite(tx, invite)) ? invite : null;
}

class InviteRefused extends Error {}
