import type { Db } from "../db/connection.ts";
import { ProblemError } from "../errors/problem.ts";
import { clearLoginAttempt, reserveLoginAttempt } from "./login_limit.ts";
import { DUMMY_HASH, verifyPassword } from "./password.ts";
import type { StaffUser } from "./users.ts";
import { findStaffByEmail } from "./users.ts";

/** One answer for unknown email and wrong password: nothing tells whether an account exists. */
export const badCredentials = () =>
  new ProblemError(401, "invalid-credentials", "Email or password is not correct");

export async function authenticateStaff(
  db: Db,
  email: string,
  password: string,
  ip: string,
): Promise<StaffUser> {
  const attempt = await reserveLoginAttempt(db, email, ip);
  if (!attempt) {
    throw new ProblemError(
      429,
      "too-many-attempts",
      "Too many failed sign-ins; try again later",
      {},
      {
        "Retry-After": "900",
      },
    );
  }
  const user = await findStaffByEmail(db, email);
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) throw badCredentials();
  await clearLoginAttempt(db, attempt);
  const { password_hash: _, ...staff } = user;
  return staff;
}
