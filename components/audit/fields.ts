/**
 * How the audit log names what it shows: each entity in people's words, where its page is, what
 * each action did, and each field as its form labels it, with how its value reads (money in
 * its currency, points, yes/no, a time).
 */
import { SETTING_TEXT } from "../../programme/settings_schema.ts";

/** How a field's value reads: money (minor units), points (hundredths or already points). */
export type ValueKind = "text" | "money" | "points" | "points-decimal" | "yes-no" | "time";

export interface FieldSpec {
  label: string;
  kind?: ValueKind;
}

/** The entities the log records, in people's words, in the order the filter offers them. */
export const ENTITY_NAMES: Record<string, string> = {
  organization: "Organization",
  site: "Site",
  store: "Store",
  pos: "POS",
  "device-token": "Device token",
  "signing-key": "Signing key",
  staff: "Staff member",
  "sign-in": "Sign-in",
  "merchant-group": "Merchant group",
  merchant: "Merchant",
  series: "Series",
  instrument: "Instrument",
  customer: "Customer",
  items: "Items",
  "loyalty-settings": "Loyalty settings",
  "rule-set": "Earning rules",
};

export const entityName = (entity: string) => ENTITY_NAMES[entity] ?? entity;

/** What an action did, as a past-tense phrase. */
const ACTIONS: Record<string, string> = {
  create: "created",
  update: "changed",
  delete: "deleted",
  issue: "issued",
  revoke: "revoked",
  rotate: "rotated",
  invite: "invited",
  accept: "accepted the invitation",
  remove: "removed",
  throttle: "refused: too many attempts",
  "join-group": "joined a group",
  generate: "instruments generated",
  activate: "activated",
  block: "blocked",
  unblock: "unblocked",
  void: "voided",
  load: "loaded",
  "add-store": "store added",
  "adjust-points": "points adjusted",
  "open-account": "account opened",
  upsert: "saved",
  "save-draft": "draft saved",
  publish: "published",
  restore: "version restored into the draft",
};

export const actionPhrase = (action: string) => ACTIONS[action] ?? action;

const SHARED: Record<string, FieldSpec> = {
  name: { label: "Name" },
  status: { label: "Status" },
  number: { label: "Number" },
  reason: { label: "Reason" },
  currency: { label: "Currency" },
};

/** Field labels by entity, as the entity's form names them; SHARED fills the rest. */
const FIELDS: Record<string, Record<string, FieldSpec>> = {
  store: {
    timezone: { label: "Time zone" },
    address: { label: "Address" },
    siteId: { label: "Site" },
  },
  pos: { storeId: { label: "Store" } },
  "device-token": {
    kind: { label: "For a" },
    principalId: { label: "Device" },
    label: { label: "Label" },
    expiresAt: { label: "Expires", kind: "time" },
    revokedAt: { label: "Revoked", kind: "time" },
  },
  "signing-key": { signingKeys: { label: "Signing keys" } },
  staff: { role: { label: "Role" } },
  "sign-in": {
    address: { label: "From address" },
    minutes: { label: "Refused for (minutes)" },
  },
  merchant: {
    storeIds: { label: "Stores" },
    groupId: { label: "Merchant group" },
    storeId: { label: "Store" },
    storeNumber: { label: "Store number" },
    storeName: { label: "Store name" },
  },
  series: {
    groupId: { label: "Merchant group" },
    type: { label: "Type" },
    prefix: { label: "Number prefix" },
    initialValue: { label: "Initial value", kind: "money" },
    expiryDays: { label: "Expires after (days)" },
    maxUses: { label: "Uses per coupon" },
    startsAt: { label: "Usable from", kind: "time" },
    fullReturnRestoresUses: { label: "A full return gives the uses back", kind: "yes-no" },
    generationId: { label: "Generation" },
    count: { label: "Instruments" },
    "benefit.amount": { label: "Amount off", kind: "money" },
    "benefit.points": { label: "Bonus points", kind: "points" },
    "benefit.percent": { label: "Percent off" },
  },
  instrument: {
    amount: { label: "Amount", kind: "money" },
    balance: { label: "Balance", kind: "money" },
  },
  customer: {
    number: { label: "Customer number" },
    email: { label: "Email" },
    phone: { label: "Phone" },
    categories: { label: "Categories" },
    homeStoreNumber: { label: "Home store number" },
    cards: { label: "Cards" },
    points: { label: "Points balance", kind: "points-decimal" },
    adjustment: { label: "Points", kind: "points-decimal" },
    transactionId: { label: "Ledger transaction" },
    accountType: { label: "Account type" },
  },
  items: {
    created: { label: "Items created" },
    updated: { label: "Items updated" },
    skus: { label: "Items sent" },
  },
  "loyalty-settings": {
    ...Object.fromEntries(
      Object.entries(SETTING_TEXT).map(([key, text]) => [key, { label: text.label }]),
    ),
    version: { label: "Version" },
  },
  "rule-set": {
    draftVersion: { label: "Draft version" },
    publishedVersion: { label: "Published version" },
    restoredFrom: { label: "Restored from version" },
    order: { label: "Order of the rules" },
  },
};

/** "pointsPerUnit" → "points per unit": a field no form labels, still in words. */
const words = (key: string) =>
  key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().replace(/^./, (c) => c.toUpperCase());

/**
 * A changed field's label and kind. A rule's field (`rules.<id>.<path>`) reads as the rule's
 * name and the path in words.
 */
export function fieldSpec(
  entity: string,
  path: string,
  ruleName?: (id: string) => string | undefined,
): FieldSpec {
  const own = FIELDS[entity]?.[path] ?? SHARED[path];
  if (own) return own;
  const rule = /^rules\.([^.]+)(?:\.(.+))?$/.exec(path);
  if (entity === "rule-set" && rule) {
    const name = ruleName?.(rule[1]) ?? rule[1];
    const rest = rule[2]?.split(".").map(words).join(" › ");
    return { label: `Rule “${name}”${rest ? ` · ${rest}` : ""}` };
  }
  return { label: path.split(".").map(words).join(" › ") };
}

/** Where the changed thing's own page is, when it has one (a deleted thing has none). */
export function entityHref(
  e: { entity: string; entityId: string; action: string },
): string | undefined {
  if (e.action === "delete" || e.action === "remove") return undefined;
  const id = encodeURIComponent(e.entityId);
  switch (e.entity) {
    case "organization":
    case "site":
    case "store":
    case "pos":
    case "device-token":
      return "/console/devices";
    case "staff":
      return "/console/staff";
    case "merchant":
      return `/console/merchants/${id}`;
    case "merchant-group":
    case "loyalty-settings":
      return `/console/settings?group=${id}`;
    case "rule-set":
      return `/console/rules?group=${id}`;
    case "items":
      return `/console/items?group=${id}`;
    case "series":
      return "/console/series";
    case "instrument":
      return `/console/instruments/${id}`;
    case "customer":
      return `/console/customers/${id}`;
  }
  return undefined;
}
