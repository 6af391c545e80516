/**
 * What saving new settings would do to the group's customers: a customer is a member unless
 * their category 1 (the customer type) is a non-loyalty code, so changing those codes turns
 * members into non-members (they stop earning) or the other way. Counted before the save, so
 * the console can say how many it affects.
 */
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { MerchantGroup } from "./groups.ts";
import type { LoyaltySettings } from "./settings_schema.ts";

export interface SettingsImpact {
  /** Members now whom the new settings make non-members. */
  membersLeaving: number;
  /** Non-members now whom the new settings make members. */
  membersJoining: number;
  /** The customer types newly non-loyalty, and newly loyalty. */
  typesLeaving: string[];
  typesJoining: string[];
}

/** One statement when a code changed, none otherwise. */
export async function settingsImpact(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
  current: LoyaltySettings,
  next: Pick<LoyaltySettings, "nonLoyaltyCategoryCodes">,
): Promise<SettingsImpact> {
  const before = new Set(current.nonLoyaltyCategoryCodes);
  const after = new Set(next.nonLoyaltyCategoryCodes);
  const typesLeaving = [...after].filter((code) => !before.has(code)).sort();
  const typesJoining = [...before].filter((code) => !after.has(code)).sort();
  if (!typesLeaving.length && !typesJoining.length) {
    return { membersLeaving: 0, membersJoining: 0, typesLeaving, typesJoining };
  }
  // Codes are stored trimmed and upper-cased, as the settings hold them (members/customers.ts).
  const type = sql<string>`upper(coalesce(categories[1], ''))`;
  const row = await db.selectFrom("customers")
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere(type, "in", typesLeaving.length ? typesLeaving : [""])
        .as("leaving"),
      eb.fn.countAll<string>().filterWhere(type, "in", typesJoining.length ? typesJoining : [""])
        .as("joining"),
    ])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .executeTakeFirstOrThrow();
  return {
    membersLeaving: typesLeaving.length ? Number(row.leaving) : 0,
    membersJoining: typesJoining.length ? Number(row.joining) : 0,
    typesLeaving,
    typesJoining,
  };
}
