import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import { afterNameAndId } from "../db/keyset.ts";
import type { MerchantTable } from "../db/schema.ts";
import { ProblemError, validationError } from "../errors/problem.ts";
import type { StaffUser } from "../staff/users.ts";
import { recordAudit } from "../audit/log.ts";
import type { MerchantGroup } from "./groups.ts";
import { inTransaction } from "../db/transaction.ts";
import { mostCommonZone } from "../calendar/zones.ts";

export type Merchant = Selectable<MerchantTable>;

export async function getMerchant(db: Db, id: string): Promise<Merchant | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("merchants").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Seed 000: a merchant links only to stores already registered — here, stores of the same
 * organization. A store belongs to at most one merchant, so each POS has one programme.
 */
export async function createMerchant(
  db: Db,
  input: {
    orgId: string;
    name: string;
    storeIds: string[];
    actor: Pick<StaffUser, "id" | "email">;
  },
): Promise<Merchant> {
  const ids = [...new Set(input.storeIds)];
  const known = ids.length && ids.every(isUuid)
    ? await db.selectFrom("stores").select("id").where("org_id", "=", input.orgId)
      .where("id", "in", ids).execute()
    : [];
  const unknown = ids.filter((id) => !known.some((s) => s.id === id));
  if (unknown.length) {
    throw validationError(unknown.map((id) => ({
      field: `storeIds.${input.storeIds.indexOf(id)}`,
      message: "not a registered store of this organization",
    })));
  }
  return await inTransaction(db, async (tx) => {
    const merchant = await tx.insertInto("merchants")
      .values({ org_id: input.orgId, name: input.name })
      .returningAll().executeTakeFirstOrThrow();
    // The unique store link decides between merchants created at once: a store claimed by
    // another (committed, or committing while this waits) is skipped here and refused below.
    const claimed = ids.length
      ? await tx.insertInto("merchant_stores")
        .values(
          ids.map((store_id) => ({ org_id: input.orgId, merchant_id: merchant.id, store_id })),
        )
        .onConflict((oc) => oc.column("store_id").doNothing())
        .returning("store_id").execute()
      : [];
    const taken = ids.filter((id) => !claimed.some((c) => c.store_id === id));
    if (taken.length) {
      throw new ProblemError(409, "store-taken", "A store already belongs to another merchant", {
        errors: taken.map((id) => ({
          field: `storeIds.${input.storeIds.indexOf(id)}`,
          message: "already linked to another merchant",
        })),
      });
    }
    await recordAudit(tx, {
      orgId: input.orgId,
      entity: "merchant",
      entityId: merchant.id,
      label: merchant.name,
      action: "create",
      actor: input.actor,
      before: null,
      after: { name: merchant.name, storeIds: ids },
    });
    return merchant;
  });
}

/**
 * Links one more registered store of the merchant's organization to it (seed 000: a store
 * belongs to at most one merchant). Its POS then run in the merchant's group, if it has one.
 * An unknown store is a 422 on `storeId`; one linked already (to this merchant or another) a
 * 409 store-taken: the unique store link decides between two at once.
 */
export async function addStoreToMerchant(
  db: Db,
  merchant: Merchant,
  storeId: string,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<void> {
  const store = isUuid(storeId)
    ? await db.selectFrom("stores").select(["id", "number", "name"])
      .where("org_id", "=", merchant.org_id).where("id", "=", storeId).executeTakeFirst()
    : undefined;
  if (!store) {
    throw validationError([{
      field: "storeId",
      message: "not a registered store of this organization",
    }]);
  }
  await inTransaction(db, async (tx) => {
    const claimed = await tx.insertInto("merchant_stores")
      .values({ org_id: merchant.org_id, merchant_id: merchant.id, store_id: store.id })
      .onConflict((oc) => oc.column("store_id").doNothing())
      .returning("store_id").executeTakeFirst();
    if (!claimed) {
      throw new ProblemError(409, "store-taken", "The store already belongs to a merchant", {
        errors: [{ field: "storeId", message: "already linked to a merchant" }],
      });
    }
    await recordAudit(tx, {
      orgId: merchant.org_id,
      entity: "merchant",
      entityId: merchant.id,
      label: merchant.name,
      action: "add-store",
      actor,
      before: null,
      after: { storeId: store.id, storeNumber: store.number, storeName: store.name },
    });
  });
}

/** Joining a group makes the merchant usable; a merchant belongs to one group. */
export async function addMerchantToGroup(
  db: Db,
  group: MerchantGroup,
  merchant: Merchant,
  actor: Pick<StaffUser, "id" | "email">,
): Promise<Merchant> {
  if (merchant.group_id === group.id) return merchant;
  if (merchant.group_id) {
    throw new ProblemError(
      409,
      "merchant-in-other-group",
      "The merchant belongs to another group",
      {
        errors: [{ field: "merchantId", message: "already in another merchant group" }],
      },
    );
  }
  return await inTransaction(db, async (tx) => {
    const updated = await tx.updateTable("merchants").set({ group_id: group.id })
      .where("id", "=", merchant.id).where("org_id", "=", group.org_id)
      .where("group_id", "is", null)
      .returningAll().executeTakeFirst();
    if (!updated) {
      throw new ProblemError(
        409,
        "merchant-in-other-group",
        "The merchant joined a group meanwhile",
      );
    }
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "merchant",
      entityId: merchant.id,
      label: merchant.name,
      action: "join-group",
      actor,
      before: { groupId: null },
      after: { groupId: group.id },
    });
    return updated;
  });
}

/** A page of merchants ordered by name, optionally of one group. */
export async function listMerchants(
  db: Db,
  q: { orgIds: string[] | null; groupId?: string; after?: string[]; limit: number },
): Promise<Merchant[]> {
  if (q.orgIds && q.orgIds.length === 0) return [];
  let query = db.selectFrom("merchants").selectAll().orderBy("name").orderBy("id").limit(q.limit);
  if (q.orgIds) query = query.where("org_id", "in", q.orgIds);
  if (q.groupId) query = query.where("group_id", "=", q.groupId);
  if (q.after) query = query.where(afterNameAndId(q.after));
  return await query.execute();
}

/** The merchant's stores, each with its POS: the merchant detail page lists them. */
export async function merchantStores(db: Db, merchant: Merchant) {
  const stores = await db.selectFrom("merchant_stores as ms")
    .innerJoin("stores as s", "s.id", "ms.store_id")
    .selectAll("s")
    .where("ms.merchant_id", "=", merchant.id).where("ms.org_id", "=", merchant.org_id)
    .orderBy("s.number").execute();
  const pos = stores.length
    ? await db.selectFrom("pos").selectAll().where("org_id", "=", merchant.org_id)
      .where("store_id", "in", stores.map((s) => s.id)).orderBy("number").execute()
    : [];
  return stores.map((s) => ({ ...s, pos: pos.filter((p) => p.store_id === s.id) }));
}

/** Which merchant each linked store of an organization belongs to. */
export async function storeLinks(db: Db, orgId: string): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom("merchant_stores").select(["merchant_id", "store_id"])
    .where("org_id", "=", orgId).execute();
  const byMerchant = new Map<string, string[]>();
  for (const r of rows) {
    byMerchant.set(r.merchant_id, [...byMerchant.get(r.merchant_id) ?? [], r.store_id]);
  }
  return byMerchant;
}

/** The stores of a programme (linked to a merchant of the group), by number. */
export async function groupStores(db: Db, group: Pick<MerchantGroup, "id" | "org_id">) {
  return await db.selectFrom("merchant_stores as ms")
    .innerJoin("merchants as m", "m.id", "ms.merchant_id")
    .innerJoin("stores as s", "s.id", "ms.store_id")
    .select(["s.number", "s.name", "s.timezone"])
    .where("m.group_id", "=", group.id).where("ms.org_id", "=", group.org_id)
    .orderBy("s.number").orderBy("s.name").execute();
}

/**
 * The programme's clock: the zone most of its stores are in, UTC without a store. Where no
 * store is at hand (the console's search and lists), phones are placed and times read in it.
 */
export const groupTimeZone = async (db: Db, group: Pick<MerchantGroup, "id" | "org_id">) =>
  mostCommonZone((await groupStores(db, group)).map((s) => s.timezone)) ?? "UTC";

/** Why a store of the organization is not one of the group's, for the pickers that leave it out. */
export type UnlistedReason = "no-merchant" | "other-group" | "merchant-without-group";

/**
 * The organization's stores that are not the group's: linked to no merchant, or only to
 * merchants of another group (or of none yet), with those merchants' names.
 */
export async function storesOutsideGroup(db: Db, group: Pick<MerchantGroup, "id" | "org_id">) {
  const rows = await db.selectFrom("stores as s")
    .leftJoin("merchant_stores as ms", "ms.store_id", "s.id")
    .leftJoin("merchants as m", "m.id", "ms.merchant_id")
    .select(["s.id", "s.number", "s.name", "m.name as merchant", "m.group_id"])
    .where("s.org_id", "=", group.org_id).orderBy("s.number").orderBy("s.name").orderBy("m.name")
    .execute();
  const mine = new Set(rows.filter((r) => r.group_id === group.id).map((r) => r.id));
  const out = new Map<string, {
    number: number;
    name: string;
    reason: UnlistedReason;
    merchants: string[];
  }>();
  for (const r of rows) {
    if (mine.has(r.id)) continue;
    const entry = out.get(r.id) ??
      { number: r.number, name: r.name, reason: "no-merchant" as UnlistedReason, merchants: [] };
    if (r.merchant !== null) {
      entry.merchants.push(r.merchant);
      // One merchant of another group is reason enough; a merchant of no group says less.
      if (r.group_id !== null) entry.reason = "other-group";
      else if (entry.reason === "no-merchant") entry.reason = "merchant-without-group";
    }
    out.set(r.id, entry);
  }
  return [...out.values()];
}
