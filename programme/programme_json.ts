import { z } from "@hono/zod-openapi";
import { Timestamp } from "../http/openapi.ts";
import { type MerchantGroup } from "./groups.ts";
import { type Merchant } from "./merchants.ts";
import { PosSchema, StoreSchema } from "../registry/registry_json.ts";

export const GroupSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  createdAt: Timestamp,
}).openapi("MerchantGroup");

export const MerchantSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  merchantGroupId: z.string().nullable().openapi({
    description: "null until the merchant joins a group; its POS are refused until then",
  }),
  createdAt: Timestamp,
}).openapi("Merchant");

export const MerchantDetailSchema = MerchantSchema.extend({
  stores: z.array(StoreSchema.extend({ pos: z.array(PosSchema) })),
}).openapi("MerchantDetail");

export const groupJson = (g: MerchantGroup) => ({
  id: g.id,
  organizationId: g.org_id,
  name: g.name,
  createdAt: new Date(g.created_at).toISOString(),
});

export const merchantJson = (m: Merchant) => ({
  id: m.id,
  organizationId: m.org_id,
  name: m.name,
  merchantGroupId: m.group_id,
  createdAt: new Date(m.created_at).toISOString(),
});
