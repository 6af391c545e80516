import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../errors/problem.ts";
import type { Db } from "../db/connection.ts";
import type { DevicePrincipal } from "../tokens/device_verifier.ts";
import { getGroup } from "./groups.ts";
import { groupOfStore } from "./merchants.ts";

/** The merchant and group of a device: of its store, or of a merchant token. */
export async function programmeOf(db: Db, device: DevicePrincipal) {
  if (device.store) return await groupOfStore(db, device.org, device.store);
  if (device.merchant) {
    const m = await db.selectFrom("merchants").select(["id", "group_id"])
      .where("id", "=", device.merchant).where("org_id", "=", device.org).executeTakeFirst();
    return m ? { merchantId: m.id, groupId: m.group_id } : null;
  }
  return null;
}

/**
 * POS calls that touch the programme run for the merchant group of the POS's store (or of a
 * merchant token). Seed 000: a merchant is unusable until it belongs to a merchant group, so
 * until then its POS get 403 `merchant-not-in-group`.
 */
export const requireProgramme: MiddlewareHandler<AppEnv> = async (c, next) => {
  const device = c.var.device!;
  if (!device.store && !device.merchant) {
    throw new ProblemError(400, "pos-required", "Name the POS this call is for", {
      detail: "a site token must send X-Store-Number and X-POS-Number",
      errors: [{ field: "X-POS-Number", message: "required with a site token" }],
    });
  }
  const { db } = c.var.deps;
  const link = await programmeOf(db, device);
  if (!link) {
    throw new ProblemError(403, "no-merchant", "No merchant is linked to this store", {
      detail: "link the store to a merchant in the console",
    });
  }
  const group = link.groupId ? await getGroup(db, link.groupId) : undefined;
  if (!group) {
    throw new ProblemError(
      403,
      "merchant-not-in-group",
      "The merchant is not in a merchant group",
      {
        detail: "add the merchant to a merchant group in the console",
      },
    );
  }
  c.set("group", group);
  await next();
};
