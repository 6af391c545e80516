import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { StaffUserTable } from "../db/schema.ts";
import { ProblemError } from "../http/problem.ts";
import { hashPassword } from "./password.ts";

export type StaffUser = Omit<Selectable<StaffUserTable>, "password_hash">;
export type Role = StaffUserTable["role"];

const publicColumns = ["id", "email", "name", "role", "created_at"] as const;

export async function countStaff(db: Db): Promise<number> {
  const row = await db.selectFrom("staff_users").select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createStaff(
  db: Db,
  input: { email: string; name: string; role: Role; password: string },
): Promise<StaffUser> {
  const password_hash = await hashPassword(input.password);
  const row = await db.insertInto("staff_users")
    .values({ email: input.email.trim(), name: input.name.trim(), role: input.role, password_hash })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning(publicColumns)
    .executeTakeFirst();
  if (!row) {
    throw new ProblemError(409, "email-taken", "A staff user with this email exists", {
      errors: [{ field: "email", message: "already in use" }],
    });
  }
  return row;
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
  return await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(7101)`.execute(tx);
    if (await countStaff(tx)) return null;
    return await tx.insertInto("staff_users")
      .values({ email: input.email.trim(), name: input.name.trim(), role: "owner", password_hash })
      .returning(publicColumns)
      .executeTakeFirstOrThrow();
  });
}

export async function findStaffById(db: Db, id: string): Promise<StaffUser | undefined> {
  return await db.selectFrom("staff_users").select(publicColumns).where("id", "=", id)
    .executeTakeFirst();
}

export async function findStaffForLogin(db: Db, email: string) {
  return await db.selectFrom("staff_users").selectAll()
    .where((eb) => eb(eb.fn("lower", [eb.ref("email")]), "=", email.trim().toLowerCase()))
    .executeTakeFirst();
}

export async function listStaff(db: Db): Promise<StaffUser[]> {
  return await db.selectFrom("staff_users").select(publicColumns).orderBy("created_at").execute();
}
