import { sql } from "kysely";
import { jsonDiff, recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { Json } from "../db/schema.ts";
import { notFound, ProblemError } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";
import type { MerchantGroup } from "./groups.ts";
import type { LoyaltySettings } from "./settings_schema.ts";
import { inTransaction } from "../db/transaction.ts";

export interface SettingsVersion {
  version: number;
  settings: LoyaltySettings;
  updatedAt: Date;
}

type Group = Pick<MerchantGroup, "id" | "org_id">;

export const toVersion = (row: { version: number; settings: Json; updated_at: Date }) => ({
  version: row.version,
  // Written only by createGroup and saveSettings, both from validated settings; versions
  // saved before `pointValue` or `pointsEarnedOnPartPaidWithPoints` existed read as their
  // defaults.
  settings: {
    pointValue: 1,
    pointsEarnedOnPartPaidWithPoints: false,
    ...row.settings as object,
  } as LoyaltySettings,
  updatedAt: row.updated_at,
});

/** The current settings of a merchant group (created with the group, at version 1). */
export async function getSettings(db: Db, group: Group): Promise<SettingsVersion> {
  const row = await db.selectFrom("loyalty_settings").select(["version", "settings", "updated_at"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id).executeTakeFirst();
  if (!row) throw notFound("loyalty settings");
  return toVersion(row);
}

/** 409 with what the caller needs to start again: the current version and settings. */
export const staleVersion = (sent: number, current: SettingsVersion) =>
  new ProblemError(409, "stale-version", "The settings were changed since you loaded them", {
    detail: `your change was based on version ${sent}; the current version is ` +
      `${current.version}. Load it, apply your change again and save.`,
    version: current.version,
    settings: current.settings,
  });

/**
 * Saves settings based on `version` (optimistic concurrency). A stale version is refused with
 * 409; a save that changes nothing keeps the version and writes no audit entry; otherwise the
 * version goes up by one and the audit entry is written in the same transaction.
 */
export async function saveSettings(
  db: Db,
  group: Group,
  input: { version: number; settings: LoyaltySettings },
  actor: Pick<StaffUser, "id" | "email">,
): Promise<SettingsVersion & { changed: boolean }> {
  return await inTransaction(db, async (tx) => {
    const current = await getSettings(tx, group);
    if (current.version !== input.version) throw staleVersion(input.version, current);
    const before: Json = current.settings;
    const after: Json = input.settings;
    if (jsonDiff(before, after).length === 0) return { ...current, changed: false };
    // The version condition makes the write itself the check: of two saves that both read
    // this version, Postgres lets the second UPDATE match no row once the first commits.
    const row = await tx.updateTable("loyalty_settings")
      .set({
        settings: JSON.stringify(input.settings),
        version: sql<number>`version + 1`,
        updated_at: sql<Date>`now()`,
        updated_by: actor.id,
      })
      .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
      .where("version", "=", input.version)
      .returning(["version", "settings", "updated_at"]).executeTakeFirst();
    if (!row) throw staleVersion(input.version, await getSettings(tx, group));
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "loyalty-settings",
      entityId: group.id,
      action: "update",
      actor,
      before,
      after,
    });
    return { ...toVersion(row), changed: true };
  });
}
