import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation, isUuid } from "../db/errors.ts";
import type { Status, StoreTable } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";
import { hasHistory } from "./history.ts";
import type { Site } from "./sites.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";
import { mostCommonZone, newStoreZone } from "../calendar/zones.ts";

export type Store = Selectable<StoreTable>;

const duplicateNumber = (number: number) =>
  new ProblemError(409, "duplicate-number", "A store with this number exists in the site", {
    errors: [{ field: "number", message: `store ${number} already exists in this site` }],
  });

const audited = (s: Store) => ({
  number: s.number,
  name: s.name,
  timezone: s.timezone,
  address: s.address,
  status: s.status,
});

/** A new store of `site` takes the zone `timezone` names, else newStoreZone's default. */
export async function createStore(
  db: Db,
  site: Site,
  input: { number: number; name: string; timezone?: string; address?: string | null },
  actor: AuditActor,
): Promise<Store> {
  return await inTransaction(db, async (tx) => {
    const timezone = input.timezone ?? await defaultZone(tx, site);
    const store = await insertStore(tx, site, { ...input, timezone });
    await recordAudit(tx, {
      orgId: site.org_id,
      entity: "store",
      entityId: store.id,
      label: store.name,
      action: "create",
      actor,
      before: null,
      after: { siteId: site.id, ...audited(store) },
    });
    return store;
  });
}

/**
 * Each organization's clock: the zone most of its stores are in (organizations without a store
 * are absent: UTC). `orgIds` null: every organization's (the installation owner's audit log).
 */
export async function orgTimeZones(
  db: Db,
  orgIds: string[] | null,
): Promise<Map<string, string>> {
  if (orgIds?.length === 0) return new Map();
  let q = db.selectFrom("stores").select(["org_id", "timezone"]);
  if (orgIds) q = q.where("org_id", "in", orgIds);
  const byOrg = new Map<string, string[]>();
  for (const s of await q.execute()) {
    byOrg.set(s.org_id, [...byOrg.get(s.org_id) ?? [], s.timezone]);
  }
  return new Map([...byOrg].map(([org, zones]) => [org, mostCommonZone(zones)!]));
}

async function defaultZone(db: Db, site: Site) {
  const stores = await db.selectFrom("stores").select(["site_id", "timezone"])
    .where("org_id", "=", site.org_id).execute();
  return newStoreZone(
    stores.filter((s) => s.site_id === site.id).map((s) => s.timezone),
    stores.map((s) => s.timezone),
  );
}

async function insertStore(
  db: Db,
  site: Site,
  input: { number: number; name: string; timezone: string; address?: string | null },
): Promise<Store> {
  try {
    return await db.insertInto("stores").values({
      org_id: site.org_id,
      site_id: site.id,
      number: input.number,
      name: input.name,
      timezone: input.timezone,
      address: input.address ?? null,
    }).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err, "stores_site_number")) throw duplicateNumber(input.number);
    throw err;
  }
}

export async function getStore(db: Db, id: string): Promise<Store | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("stores").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updateStore(
  db: Db,
  store: Store,
  change: { name?: string; timezone?: string; address?: string | null; status?: Status },
  actor: AuditActor,
): Promise<Store> {
  if (Object.values(change).every((v) => v === undefined)) return store;
  return await inTransaction(db, async (tx) => {
    const changed = await tx.updateTable("stores").set(change)
      .where("id", "=", store.id).where("org_id", "=", store.org_id)
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: store.org_id,
      entity: "store",
      entityId: store.id,
      label: changed.name,
      action: "update",
      actor,
      before: audited(store),
      after: audited(changed),
    });
    return changed;
  });
}

export async function deleteStore(db: Db, store: Store, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (tx) => {
    const pos = await tx.selectFrom("pos").select("id").where("store_id", "=", store.id)
      .where("org_id", "=", store.org_id).executeTakeFirst();
    if (pos) throw hasHistory("store", "it has POS");
    await tx.deleteFrom("stores").where("id", "=", store.id).where("org_id", "=", store.org_id)
      .execute();
    await recordAudit(tx, {
      orgId: store.org_id,
      entity: "store",
      entityId: store.id,
      label: store.name,
      action: "delete",
      actor,
      before: audited(store),
      after: null,
    });
  });
}
