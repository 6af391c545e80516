import type { Context } from "hono";
import { notFound } from "../errors/problem.ts";
import type { AppEnv } from "../http/env.ts";
import { getInstrument } from "../instruments/detail.ts";
import { getGeneration } from "../instruments/generation.ts";
import { getSeries } from "../instruments/series.ts";
import { getCustomer } from "../members/customers.ts";
import { getGroup } from "../programme/groups.ts";
import { getMerchant } from "../programme/merchants.ts";
import { getOrganization } from "../registry/organizations.ts";
import { getPos } from "../registry/pos.ts";
import { getSite } from "../registry/sites.ts";
import { getStore } from "../registry/stores.ts";
import { getSale } from "../sales/sale_row.ts";
import { getDeviceToken } from "../tokens/device_tokens.ts";
import { authorizeOrg } from "./access.ts";
import type { Permission } from "./roles.ts";

/** What an admin id can name, and how each is loaded (undefined when it does not exist). */
const LOADERS = {
  organization: getOrganization,
  site: getSite,
  store: getStore,
  POS: getPos,
  merchant: getMerchant,
  "merchant group": getGroup,
  series: getSeries,
  generation: getGeneration,
  instrument: getInstrument,
  customer: getCustomer,
  token: getDeviceToken,
  sale: getSale,
};

export type Resource = keyof typeof LOADERS;
type Loaded<K extends Resource> = NonNullable<Awaited<ReturnType<(typeof LOADERS)[K]>>>;

/**
 * The one way a handler says "this staff member, this thing, this permission": the `kind`
 * with this id (by default the path's `id`), when the caller may act on it. 404 when it does not exist or
 * belongs to an organization that is not the caller's (a 403 would confirm it exists), 403
 * when their role there lacks the permission.
 */
export async function authorized<K extends Resource>(
  c: Context<AppEnv>,
  kind: K,
  permission: Permission,
  id: string = c.req.param("id") ?? "",
): Promise<Loaded<K>> {
  const { db } = c.get("deps");
  const row = await LOADERS[kind](db, id) as Loaded<K> | undefined;
  if (!row) throw notFound(kind);
  const orgId = "org_id" in row ? row.org_id : row.id;
  await authorizeOrg(db, c.get("staff")!, orgId, permission, kind);
  return row;
}
