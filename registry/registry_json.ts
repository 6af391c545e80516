import { z } from "@hono/zod-openapi";
import { isoTime, Timestamp } from "../http/openapi.ts";
import type { Organization, OrganizationTree } from "./organizations.ts";
import type { Pos } from "./pos.ts";
import type { Site } from "./sites.ts";
import type { Store } from "./stores.ts";
import { isValidTimeZone } from "../calendar/zones.ts";

const Name = z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters");
const Number_ = z.number({ error: "must be a number" }).int("must be a whole number")
  .min(1, "must be 1 or more").max(99_999_999, "at most 99999999");
const Status = z.enum(["active", "disabled"]);
const Timezone = z.string().refine(isValidTimeZone, "not an IANA time zone (e.g. Europe/Paris)");
export const NewOrganization = z.object({ name: Name }).strict().openapi("NewOrganization");
export const NewSite = z.object({ name: Name }).strict().openapi("NewSite");
export const NewStore = z.object({
  number: Number_,
  name: Name,
  timezone: Timezone.optional().openapi({
    description: "IANA zone of the store's trading day; by default the zone most of the " +
      "site's stores are in, else the organization's, UTC for its first store",
  }),
  address: z.string().trim().max(300).nullish(),
}).strict().openapi("NewStore");
export const NewPos = z.object({ number: Number_, name: Name }).strict().openapi("NewPos");

const someChange = (o: Record<string, unknown>) => Object.values(o).some((v) => v !== undefined);
export const ChangeNameStatus = z.object({ name: Name.optional(), status: Status.optional() })
  .strict().refine(someChange, "send name or status").openapi("ChangeNameStatus");
export const ChangeStore = z.object({
  name: Name.optional(),
  timezone: Timezone.optional(),
  address: z.string().trim().max(300).nullish(),
  status: Status.optional(),
}).strict().refine(someChange, "send at least one field").openapi("ChangeStore");

export const OrganizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: Status,
  createdAt: Timestamp,
}).openapi("Organization");
export const SiteSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  name: z.string(),
  status: Status,
  createdAt: Timestamp,
}).openapi("Site");
export const StoreSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  siteId: z.string(),
  number: z.number().int(),
  name: z.string(),
  timezone: z.string(),
  address: z.string().nullable(),
  status: Status,
  createdAt: Timestamp,
}).openapi("Store");
export const PosSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  siteId: z.string(),
  storeId: z.string(),
  number: z.number().int(),
  name: z.string(),
  status: Status,
  createdAt: Timestamp,
}).openapi("Pos");
export const OrganizationTreeSchema = OrganizationSchema.extend({
  sites: z.array(SiteSchema.extend({
    stores: z.array(StoreSchema.extend({ pos: z.array(PosSchema) })),
  })),
}).openapi("OrganizationTree");

export const orgJson = (o: Organization) => ({
  id: o.id,
  name: o.name,
  status: o.status,
  createdAt: isoTime(o.created_at),
});
export const siteJson = (s: Site) => ({
  id: s.id,
  organizationId: s.org_id,
  name: s.name,
  status: s.status,
  createdAt: isoTime(s.created_at),
});
export const storeJson = (s: Store) => ({
  id: s.id,
  organizationId: s.org_id,
  siteId: s.site_id,
  number: s.number,
  name: s.name,
  timezone: s.timezone,
  address: s.address,
  status: s.status,
  createdAt: isoTime(s.created_at),
});
export const posJson = (p: Pos) => ({
  id: p.id,
  organizationId: p.org_id,
  siteId: p.site_id,
  storeId: p.store_id,
  number: p.number,
  name: p.name,
  status: p.status,
  createdAt: isoTime(p.created_at),
});
export const treeJson = (t: OrganizationTree) => ({
  ...orgJson(t),
  sites: t.sites.map((s) => ({
    ...siteJson(s),
    stores: s.stores.map((st) => ({ ...storeJson(st), pos: st.pos.map(posJson) })),
  })),
});
