import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { StaffUserTable } from "../db/schema.ts";
import { hashPassword } from "./password.ts";
import { inTransaction } from "../db/transaction.ts";

export type StaffUser = Omit<Selectable<StaffUserTable>, "password_hash">;

export const staffColumns = ["id", "email", "name", "is_owner", "created_at"] as const;

export async function countStaff(db: Db): Promise<number> {
  const row = await db.selectFrom("staff_users").select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Creates the installation owner only while no staff user exists; the check and the
 * insert share a transaction-scoped advisory lock so two first visitors cannot both win.
 */
export async function createOwner(
  db: Db,
  input: { email: string; name: string; password: string },
): Promise<StaffUser | null> {
  const password_hash = await hashPassword(input.password);
  return await inTransaction(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(7101)`.execute(tx);
    if (await countStaff(tx)) return null;
    return await tx.insertInto("staff_users")
      .values({ email: input.email.trim(), name: input.name.trim(), is_owner: true, password_hash })
      .returning(staffColumns)
      .executeTakeFirstOrThrow();
  });
}

export async function findStaffById(db: Db, id: string): Promise<StaffUser | undefined> {
  return await db.selectFrom("staff_users").select(staffColumns).where("id", "=", id)
    .executeTakeFirst();
}

export async function findStaffByEmail(db: Db, email: string) {
  return await db.selectFrom("staff_users").selectAll()
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .executeTakeFirst();
}
