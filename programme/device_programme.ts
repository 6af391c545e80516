import type { Db } from "../db/connection.ts";
import type { MerchantGroup } from "./groups.ts";
import { type SettingsVersion, toVersion } from "./settings.ts";

/** Where a device stands: its organization, and its store or merchant when it has one. */
export interface DevicePlace {
  org: string;
  store?: string;
  merchant?: string;
}

/** The merchant of a device (of its store, or of a merchant token), its group and settings. */
export interface DeviceProgramme {
  merchantId: string;
  /** Null until the merchant joins a merchant group. */
  group: MerchantGroup | null;
  /** The group's current settings; null with the group. */
  settings: SettingsVersion | null;
}

/**
 * In one query. Null when the device has no merchant: a site token not acting for a POS, or
 * a store no merchant is linked to.
 */
export async function programmeOf(db: Db, place: DevicePlace): Promise<DeviceProgramme | null> {
  if (!place.store && !place.merchant) return null;
  let q = db.selectFrom("merchants as m")
    .leftJoin("merchant_groups as g", "g.id", "m.group_id")
    .leftJoin("loyalty_settings as s", "s.group_id", "g.id")
    .select([
      "m.id as merchant_id",
      "g.id",
      "g.org_id",
      "g.name",
      "g.created_at",
      "s.version",
      "s.settings",
      "s.updated_at",
    ])
    .where("m.org_id", "=", place.org);
  q = place.store
    ? q.innerJoin("merchant_stores as ms", "ms.merchant_id", "m.id")
      .where("ms.store_id", "=", place.store).where("ms.org_id", "=", place.org)
    : q.where("m.id", "=", place.merchant!);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  const group = row.id === null
    ? null
    : { id: row.id, org_id: row.org_id!, name: row.name!, created_at: row.created_at! };
  return {
    merchantId: row.merchant_id,
    group,
    settings: group && row.version !== null
      ? toVersion({ version: row.version, settings: row.settings, updated_at: row.updated_at! })
      : null,
  };
}
