import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../http/problem.ts";
import { getGroup } from "./groups.ts";
import { groupOfStore } from "./merchants.ts";

/**
 * POS calls that touch the programme run for the merchant group of the POS's store. Seed
 * 000: a merchant is unusable until it belongs to a merchant group, so until then its POS
 * get 403 `merchant-not-in-group`.
 */
export const requireProgramme: MiddlewareHandler<AppEnv> = async (c, next) => {
  const device = c.var.device!;
  if (!device.store) {
    throw new ProblemError(400, "pos-required", "Name the POS this call is for", {
      detail: "a site token must send X-Store-Number and X-POS-Number",
      errors: [{ field: "X-POS-Number", message: "required with a site token" }],
    });
  }
  const { db } = c.var.deps;
  const link = await groupOfStore(db, device.org, device.store);
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
