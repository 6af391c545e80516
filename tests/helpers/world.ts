import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { createGroup, type MerchantGroup } from "../../programme/groups.ts";
import { addMerchantToGroup, createMerchant, type Merchant } from "../../programme/merchants.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createCustomer, type CustomerDetail } from "../../members/customers.ts";
import { createOrganization, type Organization } from "../../registry/organizations.ts";
import { createPos, type Pos } from "../../registry/pos.ts";
import { createSite, type Site } from "../../registry/sites.ts";
import { createStore, type Store } from "../../registry/stores.ts";
import { issueDeviceToken } from "../../tokens/device_tokens.ts";
import { getDraft, publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { staffColumns, type StaffUser } from "../../staff/users.ts";
import { addOwner, bearerFor, ORIGIN, type TestApp } from "./app.ts";

export interface WorldOptions {
  /** Organization name; also names the merchant and the group. */
  name?: string;
  /** Store number and time zone. */
  store?: { number?: number; timezone?: string };
  /** POS number in the store. */
  posNumber?: number;
  /** Settings changed from the defaults (saved as version 2 when given). */
  settings?: Partial<LoyaltySettings>;
  /** A member of the programme, created with these categories (none when null). */
  member?: { number?: string; name?: string; categories?: string[] } | null;
}

/** One programme, ready for a POS call: the nouns a test usually needs, made in one call. */
export interface World {
  owner: StaffUser;
  /** A staff bearer token of the owner. */
  ownerToken: string;
  org: Organization;
  site: Site;
  store: Store;
  pos: Pos;
  /** A device token of the POS. */
  posToken: string;
  group: MerchantGroup;
  merchant: Merchant;
  settings: LoyaltySettings;
  member: CustomerDetail | null;
}

/**
 * Builds a world through the services (so it obeys every rule the API obeys): the owner (the
 * first call makes it), an organization with a site, a store, a POS with a device token, a
 * merchant group with its settings, a merchant of the store in the group, and a member.
 * Several worlds in one test database are several tenants.
 */
export async function buildWorld(t: TestApp, opts: WorldOptions = {}): Promise<World> {
  const owner = await t.db.selectFrom("staff_users").select(staffColumns)
    .where("is_owner", "=", true).executeTakeFirst() ?? await addOwner(t);
  const name = opts.name ?? `Org ${crypto.randomUUID().slice(0, 8)}`;
  const org = await createOrganization(t.db, name);
  const site = await createSite(t.db, org.id, `${name} site`);
  const store = await createStore(t.db, site, {
    number: opts.store?.number ?? 1,
    name: `${name} store`,
    timezone: opts.store?.timezone ?? "Europe/Paris",
  });
  const pos = await createPos(t.db, store, { number: opts.posNumber ?? 1, name: "Till" });
  const { token: posToken } = await issueDeviceToken(
    { db: t.db, issuer: ORIGIN },
    { kind: "pos", pos },
    { ttlDays: 1, createdBy: owner.id },
  );
  const group = await createGroup(t.db, { orgId: org.id, name, actor: owner });
  const merchant = await createMerchant(t.db, {
    orgId: org.id,
    name,
    storeIds: [store.id],
    actor: owner,
  });
  await addMerchantToGroup(t.db, group, merchant, owner);
  let { settings } = await getSettings(t.db, group);
  if (opts.settings) {
    ({ settings } = await saveSettings(t.db, group, {
      version: 1,
      settings: { ...settings, ...opts.settings },
    }, owner));
  }
  const member = opts.member === null ? null : await createCustomer(t.db, group, {
    number: opts.member?.number,
    name: opts.member?.name ?? "Mia Member",
    categories: opts.member?.categories ?? ["GOLD"],
  }, settings);
  return {
    owner,
    ownerToken: await bearerFor(t, owner.email),
    org,
    site,
    store,
    pos,
    posToken,
    group,
    merchant: { ...merchant, group_id: group.id },
    settings,
    member,
  };
}

/** A POS API call with the world's device token (or another): status, type and parsed body. */
export async function posCall(
  t: TestApp,
  token: string,
  method: string,
  path: string,
  opts: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
) {
  const res = await t.request(`/api/pos/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(opts.key === undefined ? {} : { "Idempotency-Key": opts.key }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const type = res.headers.get("Content-Type") ?? "";
  const text = await res.text();
  // deno-lint-ignore no-explicit-any -- tests read whatever the endpoint answered.
  const json: any = text && type.includes("json") ? JSON.parse(text) : text;
  return { status: res.status, type, json, headers: res.headers };
}

/** Saves `rules` as the world's draft and publishes it; answers the published version. */
export async function publishRules(t: TestApp, w: World, rules: unknown[]): Promise<number> {
  const { version } = await getDraft(t.db, w.group);
  const draft = await saveDraft(t.db, w.group, { version, rules }, w.owner);
  return (await publishDraft(t.db, w.group, { draftVersion: draft.version }, w.owner)).version;
}
