import type { Config } from "../config.ts";
import type { Db } from "../db/connection.ts";
import { createOwner } from "./users.ts";

/** ADMIN_EMAIL + ADMIN_PASSWORD create the owner without a browser, once. */
export async function ensureOwnerFromEnv(db: Db, config: Config): Promise<void> {
  if (!config.adminEmail || !config.adminPassword) return;
  if (config.adminPassword.length < 12) {
    throw new Error("ADMIN_PASSWORD needs at least 12 characters");
  }
  const owner = await createOwner(db, {
    email: config.adminEmail,
    name: config.adminEmail.split("@")[0],
    password: config.adminPassword,
  });
  if (owner) {
    console.log(JSON.stringify({ msg: "owner created from ADMIN_EMAIL", email: owner.email }));
  }
}
