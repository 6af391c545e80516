import type { Db } from "../db/connection.ts";
import { randomToken, sha256 } from "../crypto/random.ts";
import { findStaffById, type StaffUser } from "./users.ts";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface Session {
  staff: StaffUser;
  csrfToken: string;
}

/** Returns the cookie value; only its hash is stored. */
export async function createSession(db: Db, staffId: string): Promise<string> {
  const token = randomToken();
  await db.insertInto("staff_sessions").values({
    id_hash: sha256(token),
    staff_id: staffId,
    csrf_token: randomToken(),
    expires_at: new Date(Date.now() + SESSION_TTL_MS),
  }).execute();
  return token;
}

export async function loadSession(db: Db, token: string): Promise<Session | null> {
  const row = await db.selectFrom("staff_sessions").select(["staff_id", "csrf_token"])
    .where("id_hash", "=", sha256(token))
    .where("expires_at", ">", new Date())
    .executeTakeFirst();
  if (!row) return null;
  const staff = await findStaffById(db, row.staff_id);
  return staff ? { staff, csrfToken: row.csrf_token } : null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom("staff_sessions").where("id_hash", "=", sha256(token)).execute();
}
