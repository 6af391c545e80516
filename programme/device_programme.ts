import type { Db } from "../db/connection.ts";
import { getGroup, type MerchantGroup } from "./groups.ts";
import { groupOfStore } from "./merchants.ts";

/** Where a device stands: its organization, and its store or merchant when it has one. */
export interface DevicePlace {
  org: string;
  store?: string;
  merchant?: string;
}

/** The merchant of a device (of its store, or of a merchant token) and that merchant's group. */
export interface DeviceProgramme {
  merchantId: string;
  /** Null until the merchant joins a merchant group. */
  group: MerchantGroup | null;
}

/** Null when the device has no merchant: a site token not acting for a POS, or a bare store. */
export async function programmeOf(db: Db, place: DevicePlace): Promise<DeviceProgramme | null> {
  let link: { merchantId: string; groupId: string | null } | null = null;
  if (place.store) link = await groupOfStore(db, place.org, place.store);
  else if (place.merchant) {
    const m = await db.selectFrom("merchants").select(["id", "group_id"])
      .where("id", "=", place.merchant).where("org_id", "=", place.org).executeTakeFirst();
    link = m ? { merchantId: m.id, groupId: m.group_id } : null;
  }
  if (!link) return null;
  return {
    merchantId: link.merchantId,
    group: link.groupId ? (await getGroup(db, link.groupId)) ?? null : null,
  };
}
