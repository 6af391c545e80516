/**
 * What the rule editor's pickers offer for one programme: the settings (category names, the
 * key line total reference), the customer category codes in use, the catalogue's item
 * categories, the group's stores (and the organization's others, with why they are not the
 * group's) and its loyalty-card series. Read by `GET …/rules/vocabulary` and by the rules page, which hands it
 * to the editor island without a round trip.
 */
import { itemCategories } from "../catalogue/items.ts";
import type { Db } from "../db/connection.ts";
import { listSeries } from "../instruments/series.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { categoryCodesInUse } from "../members/customers.ts";
import { groupStores, storesOutsideGroup } from "../programme/merchants.ts";
import { getSettings } from "../programme/settings.ts";

export async function ruleVocabulary(db: Db, group: MerchantGroup) {
  const [{ settings }, categories, codes, stores, unlisted, cardSeries] = await Promise.all([
    getSettings(db, group),
    itemCategories(db, group),
    categoryCodesInUse(db, group.id),
    groupStores(db, group),
    storesOutsideGroup(db, group),
    listSeries(db, group.id, { type: "loyalty-card", limit: 200 }),
  ]);
  return {
    settings,
    itemCategories: categories,
    categoryCodes: codes,
    stores,
    unlistedStores: unlisted,
    cardSeries,
  };
}
