import assert from "node:assert/strict";
import type { OrgRole } from "../../db/schema.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { createGroup, type MerchantGroup } from "../../programme/groups.ts";
import { addMerchantToGroup, createMerchant, type Merchant } from "../../programme/merchants.ts";
import { getSettings, saveSettings } from "../../programme/settings.ts";
import { createCustomer, type CustomerDetail } from "../../members/customers.ts";
import { createOrganization, type Organization } from "../../registry/organizations.ts";
import { createPos, type Pos } from "../../registry/pos.ts";
import { createSite, type Site } from "../../registry/sites.ts";
import { createStore, type Store } from "../../registry/stores.ts";
import { type DeviceTarget, issueDeviceToken } from "../../tokens/device_tokens.ts";
import { getDraft, publishDraft, saveDraft } from "../../earning/rule_sets.ts";
import { staffColumns, type StaffUser } from "../../staff/users.ts";
import { addMember, addOwner, adminCall, bearerFor, ORIGIN, type TestApp } from "./app.ts";

/** A store of the site: its number, name and time zone, and the numbers of its POS. */
export interface StoreSpec {
  number: number;
  /** Default `Store <number>`. */
  name?: string;
  /** Default Europe/Paris. */
  timezone?: string;
  /** POS numbers; default [1]. POS <n> is named `Till <n>`. */
  pos?: number[];
}

export interface RegistryOptions {
  /** Organization name; in a world it also names the merchant and (by default) the group. */
  name?: string;
  /** Site name; default `<name> site`. */
  site?: string;
  /** The world's store: number (default 1), name (default `<name> store`) and time zone. */
  store?: { number?: number; name?: string; timezone?: string };
  /** Number of the world's POS in its store (default 1). */
  posNumber?: number;
  /** Further POS of the world's store. */
  morePos?: number[];
  /** Further stores of the site, with their POS. In a world they belong to no merchant. */
  moreStores?: StoreSpec[];
  /**
   * Staff of the organization, through the real invitation flow: the local part of the email
   * (`a-admin` for a-admin@example.com) → role. Each gets a staff bearer token.
   */
  staff?: Record<string, OrgRole>;
  /** Device tokens for the site and every POS (a world always has them). */
  deviceTokens?: boolean;
}

/** A member of the organization's staff, signed in. */
export interface StaffMember {
  id: string;
  email: string;
  /** A staff bearer token. */
  token: string;
}

/** An organization's registry: the nouns of a device test, made in one call. */
export interface Registry {
  owner: StaffUser;
  /** A staff bearer token of the owner. */
  ownerToken: string;
  org: Organization;
  site: Site;
  /** The world's store, and every store in the order asked (the world's first). */
  store: Store;
  stores: Store[];
  /** The world's POS, and every POS of every store (the world's first). */
  pos: Pos;
  tills: Pos[];
  /** POS `posNumber` of store `storeNumber`. */
  posAt(storeNumber: number, posNumber: number): Pos;
  /** The staff asked for, by the local part of their email. */
  staff: Record<string, StaffMember>;
}

export interface DeviceTokens {
  /** A device token of the world's POS. */
  posToken: string;
  /** A device token of the site. */
  siteToken: string;
  /** The device token of POS `posNumber` of store `storeNumber`. */
  tokenAt(storeNumber: number, posNumber: number): string;
}

export interface WorldOptions extends Omit<RegistryOptions, "deviceTokens"> {
  /** Name of the merchant group; default the organization's name. */
  groupName?: string;
  /** Settings changed from the defaults (saved as version 2 when given). */
  settings?: Partial<LoyaltySettings>;
  /** A member of the programme, created with these categories (none when null). */
  member?: { number?: string; name?: string; categories?: string[] } | null;
}

/** One programme, ready for a POS call: the nouns a test usually needs, made in one call. */
export interface World extends Registry, DeviceTokens {
  group: MerchantGroup;
  /** The merchant of the world's store (not of `moreStores`), in the group. */
  merchant: Merchant;
  settings: LoyaltySettings;
  member: CustomerDetail | null;
}

/** The owner: the first call makes it, later calls (other tenants) find it. */
async function theOwner(t: TestApp): Promise<StaffUser> {
  return await t.db.selectFrom("staff_users").select(staffColumns)
    .where("is_owner", "=", true).executeTakeFirst() ?? await addOwner(t);
}

/**
 * Builds an organization's registry through the services (so it obeys every rule the API
 * obeys): the owner (the first call makes it), an organization with a site, the world's store
 * and POS and any further ones, the staff asked for and, with `deviceTokens`, a device token of
 * the site and of every POS. No merchant and no programme: see `buildWorld`.
 */
export function buildRegistry(
  t: TestApp,
  opts: RegistryOptions & { deviceTokens: true },
): Promise<Registry & DeviceTokens>;
export function buildRegistry(t: TestApp, opts?: RegistryOptions): Promise<Registry>;
export async function buildRegistry(
  t: TestApp,
  opts: RegistryOptions = {},
): Promise<Registry | Registry & DeviceTokens> {
  const owner = await theOwner(t);
  const name = opts.name ?? `Org ${crypto.randomUUID().slice(0, 8)}`;
  const org = await createOrganization(t.db, name, owner);
  const site = await createSite(t.db, org.id, opts.site ?? `${name} site`, owner);
  const specs: StoreSpec[] = [
    {
      number: opts.store?.number ?? 1,
      name: opts.store?.name ?? `${name} store`,
      timezone: opts.store?.timezone,
      pos: [opts.posNumber ?? 1, ...opts.morePos ?? []],
    },
    ...opts.moreStores ?? [],
  ];
  const stores: Store[] = [];
  const tills: Pos[] = [];
  for (const spec of specs) {
    const store = await createStore(t.db, site, {
      number: spec.number,
      name: spec.name ?? `Store ${spec.number}`,
      timezone: spec.timezone ?? "Europe/Paris",
    }, owner);
    stores.push(store);
    for (const number of spec.pos ?? [1]) {
      tills.push(await createPos(t.db, store, { number, name: `Till ${number}` }, owner));
    }
  }
  const posAt = (storeNumber: number, posNumber: number) => {
    const store = stores.find((s) => s.number === storeNumber);
    const pos = tills.find((p) => p.store_id === store?.id && p.number === posNumber);
    if (!pos) throw new Error(`no POS ${posNumber} in store ${storeNumber}`);
    return pos;
  };
  const staff: Record<string, StaffMember> = {};
  for (const [local, role] of Object.entries(opts.staff ?? {})) {
    const email = `${local}@example.com`;
    const { id } = await addMember(t, org.id, role, email);
    staff[local] = { id, email, token: await bearerFor(t, email) };
  }
  const registry: Registry = {
    owner,
    ownerToken: await bearerFor(t, owner.email),
    org,
    site,
    store: stores[0],
    stores,
    pos: tills[0],
    tills,
    posAt,
    staff,
  };
  if (!opts.deviceTokens) return registry;

  const issue = async (target: DeviceTarget) =>
    (await issueDeviceToken({ db: t.db, issuer: ORIGIN }, target, {
      ttlDays: 1,
      createdBy: owner,
    })).token;
  const tokens = new Map<string, string>();
  for (const pos of tills) tokens.set(pos.id, await issue({ kind: "pos", pos }));
  return {
    ...registry,
    posToken: tokens.get(tills[0].id)!,
    siteToken: await issue({ kind: "site", site }),
    tokenAt: (storeNumber, posNumber) => tokens.get(posAt(storeNumber, posNumber).id)!,
  };
}

/**
 * Builds a world through the services (so it obeys every rule the API obeys): the registry of
 * `buildRegistry` with its device tokens, a merchant group with its settings, a merchant of
 * the world's store in the group, and a member. Several worlds in one test database are
 * several tenants.
 */
export async function buildWorld(t: TestApp, opts: WorldOptions = {}): Promise<World> {
  const registry = await buildRegistry(t, { ...opts, deviceTokens: true });
  const { owner, org, store } = registry;
  const name = org.name;
  const group = await createGroup(t.db, {
    orgId: org.id,
    name: opts.groupName ?? name,
    actor: owner,
  });
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
    ...registry,
    group,
    merchant: { ...merchant, group_id: group.id },
    settings,
    member,
  };
}

/** The bearer tokens of the registries' staff, by the local part of their email. */
export function staffTokens(...registries: Registry[]): Record<string, string> {
  return Object.fromEntries(
    registries.flatMap((r) => Object.values(r.staff).map((m) => [m.email.split("@")[0], m.token])),
  );
}

/** Changes some of a group's settings through the admin API, from the version it is at. */
export async function configure(
  t: TestApp,
  token: string,
  groupId: string,
  change: Partial<LoyaltySettings>,
) {
  const path = `/merchant-groups/${groupId}/settings`;
  const current = await adminCall(t, token, "GET", path);
  const saved = await adminCall(t, token, "PUT", path, {
    version: current.json.version,
    settings: { ...current.json.settings, ...change },
  });
  assert.equal(saved.status, 200, `PUT ${path}: ${JSON.stringify(saved.json)}`);
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

/**
 * An earning rule for members (the condition `member = true`), enabled, priority 10; `extra`
 * overrides any field (priority, reference, …).
 */
export const memberRule = (id: string, event: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  enabled: true,
  priority: 10,
  conditions: { all: [{ fact: "member", operator: "equal", value: true }] },
  event,
  ...extra,
});
