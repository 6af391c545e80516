import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation, isUuid } from "../db/errors.ts";
import type { Status, StoreTable } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";
import { hasHistory } from "./history.ts";
import type { Site } from "./sites.ts";
import { inTransaction } from "../db/transaction.ts";

export type Store = Selectable<StoreTable>;

const duplicateNumber = (number: number) =>
  new ProblemError(409, "duplicate-number", "A store with this number exists in the site", {
    errors: [{ field: "number", message: `store ${number} already exists in this site` }],
  });

export async function createStore(
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
): Promise<Store> {
  if (Object.values(change).every((v) => v === undefined)) return store;
  return await db.updateTable("stores").set(change)
    .where("id", "=", store.id).where("org_id", "=", store.org_id)
    .returningAll().executeTakeFirstOrThrow();
}

export async function deleteStore(db: Db, store: Store): Promise<void> {
  await inTransaction(db, async (tx) => {
    const pos = await tx.selectFrom("pos").select("id").where("store_id", "=", store.id)
      .where("org_id", "=", store.org_id).executeTakeFirst();
    if (pos) throw hasHistory("store", "it has POS");
    await tx.deleteFrom("stores").where("id", "=", store.id).where("org_id", "=", store.org_id)
      .execute();
  });
}
