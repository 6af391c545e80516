import type { StoreTree } from "../api.ts";

/** A merchant group as the admin API answers it (`GET /merchant-groups`). */
export interface GroupItem {
  id: string;
  organizationId: string;
  name: string;
  createdAt: string;
}

/** A merchant as the admin API answers it (`POST /merchants`, `GET /merchants`). */
export interface MerchantItem {
  id: string;
  organizationId: string;
  name: string;
  /** Null until the merchant joins a group: its POS are refused until then. */
  merchantGroupId: string | null;
  createdAt: string;
}

/** `GET /merchants/{id}`: the merchant with its stores, each with every POS. */
export interface MerchantWithStores extends MerchantItem {
  stores: StoreTree[];
}

/** What the page says of a merchant outside any group, wherever it is shown. */
export const NOT_IN_GROUP = "not in a group — its POS are refused";

/** "Store 12 · Paris Opéra": how a store is named in buttons, lists and labels. */
export const storeLabel = (s: { number: number; name: string }) => `Store ${s.number} · ${s.name}`;

/** "POS 1 · Till 1". */
export const posLabel = (p: { number: number; name: string }) => `POS ${p.number} · ${p.name}`;
