import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { OrganizationTable, PosTable, SiteTable, Status, StoreTable } from "../db/schema.ts";
import { hasHistory } from "./history.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";

export type Organization = Selectable<OrganizationTable>;
export type OrganizationTree = Organization & {
  sites: (Selectable<SiteTable> & {
    stores: (Selectable<StoreTable> & { pos: Selectable<PosTable>[] })[];
  })[];
};

/** What the audit log keeps of an organization, a site or a POS. */
const nameStatus = (r: { name: string; status: Status }) => ({ name: r.name, status: r.status });

export async function createOrganization(
  db: Db,
  name: string,
  actor: AuditActor,
): Promise<Organization> {
  return await inTransaction(db, async (tx) => {
    const org = await tx.insertInto("organizations").values({ name }).returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: org.id,
      entity: "organization",
      entityId: org.id,
      label: org.name,
      action: "create",
      actor,
      before: null,
      after: nameStatus(org),
    });
    return org;
  });
}

/** `ids` null → every organization (the owner). */
export async function listOrganizations(db: Db, ids: string[] | null): Promise<Organization[]> {
  if (ids && ids.length === 0) return [];
  let q = db.selectFrom("organizations").selectAll().orderBy("name").orderBy("id");
  if (ids) q = q.where("id", "in", ids);
  return await q.execute();
}

export async function getOrganization(db: Db, id: string): Promise<Organization | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("organizations").selectAll().where("id", "=", id)
    .executeTakeFirst();
}

/** The organization with its sites, stores and POS, ordered by name and number. */
export async function getOrganizationTree(
  db: Db,
  id: string,
): Promise<OrganizationTree | undefined> {
  const org = await getOrganization(db, id);
  if (!org) return undefined;
  const [sites, stores, pos] = await Promise.all([
    db.selectFrom("sites").selectAll().where("org_id", "=", id).orderBy("name").orderBy("id")
      .execute(),
    db.selectFrom("stores").selectAll().where("org_id", "=", id).orderBy("number").execute(),
    db.selectFrom("pos").selectAll().where("org_id", "=", id).orderBy("number").execute(),
  ]);
  return {
    ...org,
    sites: sites.map((site) => ({
      ...site,
      stores: stores.filter((s) => s.site_id === site.id).map((store) => ({
        ...store,
        pos: pos.filter((p) => p.store_id === store.id),
      })),
    })),
  };
}

export async function updateOrganization(
  db: Db,
  id: string,
  change: { name?: string; status?: Status },
  actor: AuditActor,
): Promise<Organization | undefined> {
  if (!change.name && !change.status) return await getOrganization(db, id);
  return await inTransaction(db, async (tx) => {
    const before = await tx.selectFrom("organizations").selectAll().where("id", "=", id)
      .forUpdate().executeTakeFirst();
    if (!before) return undefined;
    const org = await tx.updateTable("organizations").set(change).where("id", "=", id)
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: id,
      entity: "organization",
      entityId: id,
      label: org.name,
      action: "update",
      actor,
      before: nameStatus(before),
      after: nameStatus(org),
    });
    return org;
  });
}

/** Its audit entries stay (the log has no foreign key to organizations): the owner reads them. */
export async function deleteOrganization(db: Db, id: string, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (tx) => {
    const site = await tx.selectFrom("sites").select("id").where("org_id", "=", id)
      .executeTakeFirst();
    if (site) throw hasHistory("organization", "it has sites");
    const member = await tx.selectFrom("staff_memberships").select("staff_id")
      .where("org_id", "=", id).executeTakeFirst();
    if (member) throw hasHistory("organization", "it has staff members");
    await tx.deleteFrom("staff_invites").where("org_id", "=", id).execute();
    const gone = await tx.deleteFrom("organizations").where("id", "=", id).returningAll()
      .executeTakeFirst();
    if (!gone) return;
    await recordAudit(tx, {
      orgId: id,
      entity: "organization",
      entityId: id,
      label: gone.name,
      action: "delete",
      actor,
      before: nameStatus(gone),
      after: null,
    });
  });
}
