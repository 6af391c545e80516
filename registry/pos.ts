import { type Selectable, sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUniqueViolation, isUuid } from "../db/errors.ts";
import type { PosTable, Status } from "../db/schema.ts";
import { ProblemError } from "../errors/problem.ts";
import { hasHistory } from "./history.ts";
import type { Store } from "./stores.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";

export type Pos = Selectable<PosTable>;

const duplicateNumber = (number: number) =>
  new ProblemError(409, "duplicate-number", "A POS with this number exists in the store", {
    errors: [{ field: "number", message: `POS ${number} already exists in this store` }],
  });

const duplicateName = (name: string) =>
  new ProblemError(409, "duplicate-name", "A POS with this name exists in the store", {
    errors: [{ field: "name", message: `a POS of this store is already called "${name}"` }],
  });

/**
 * Refuses a name another POS of the store has (any case, spaces around ignored). The store's
 * row is locked first, so two creations or renames in one store at once queue here and the
 * second sees the first: no unique index, as existing registries may hold such twins.
 */
async function checkNameFree(tx: Db, storeId: string, name: string, exceptId?: string) {
  await tx.selectFrom("stores").select("id").where("id", "=", storeId).forUpdate().execute();
  let twin = tx.selectFrom("pos").select("id").where("store_id", "=", storeId)
    .where(sql<boolean>`lower(trim(name)) = lower(trim(${name}))`);
  if (exceptId) twin = twin.where("id", "<>", exceptId);
  if (await twin.executeTakeFirst()) throw duplicateName(name.trim());
}

const audited = (p: Pos) => ({ number: p.number, name: p.name, status: p.status });

export async function createPos(
  db: Db,
  store: Store,
  input: { number: number; name: string },
  actor: AuditActor,
): Promise<Pos> {
  return await inTransaction(db, async (tx) => {
    await checkNameFree(tx, store.id, input.name);
    const pos = await insertPos(tx, store, input);
    await recordAudit(tx, {
      orgId: store.org_id,
      entity: "pos",
      entityId: pos.id,
      label: pos.name,
      action: "create",
      actor,
      before: null,
      after: { storeId: store.id, ...audited(pos) },
    });
    return pos;
  });
}

async function insertPos(
  db: Db,
  store: Store,
  input: { number: number; name: string },
): Promise<Pos> {
  try {
    return await db.insertInto("pos").values({
      org_id: store.org_id,
      site_id: store.site_id,
      store_id: store.id,
      number: input.number,
      name: input.name,
    }).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err, "pos_store_number")) throw duplicateNumber(input.number);
    throw err;
  }
}

export async function getPos(db: Db, id: string): Promise<Pos | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("pos").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updatePos(
  db: Db,
  pos: Pos,
  change: { name?: string; status?: Status },
  actor: AuditActor,
): Promise<Pos> {
  if (!change.name && !change.status) return pos;
  return await inTransaction(db, async (tx) => {
    if (change.name) await checkNameFree(tx, pos.store_id, change.name, pos.id);
    const changed = await tx.updateTable("pos").set(change)
      .where("id", "=", pos.id).where("org_id", "=", pos.org_id)
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: pos.org_id,
      entity: "pos",
      entityId: pos.id,
      label: changed.name,
      action: "update",
      actor,
      before: audited(pos),
      after: audited(changed),
    });
    return changed;
  });
}

export async function deletePos(db: Db, pos: Pos, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (tx) => {
    // Locked first: a token being issued for this POS holds a share lock until it is
    // recorded, so the check below sees it.
    await tx.selectFrom("pos").select("id").where("id", "=", pos.id).forUpdate().execute();
    const token = await tx.selectFrom("access_tokens").select("jti")
      .where("org_id", "=", pos.org_id).where("kind", "=", "pos")
      .where("principal_id", "=", pos.id).executeTakeFirst();
    if (token) throw hasHistory("POS", "tokens were issued for it");
    await tx.deleteFrom("pos").where("id", "=", pos.id).where("org_id", "=", pos.org_id)
      .execute();
    await recordAudit(tx, {
      orgId: pos.org_id,
      entity: "pos",
      entityId: pos.id,
      label: pos.name,
      action: "delete",
      actor,
      before: audited(pos),
      after: null,
    });
  });
}
