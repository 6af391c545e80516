import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { SiteTable, Status } from "../db/schema.ts";
import { hasHistory } from "./history.ts";
import { inTransaction } from "../db/transaction.ts";
import { type AuditActor, recordAudit } from "../audit/log.ts";

export type Site = Selectable<SiteTable>;

const audited = (site: Site) => ({ name: site.name, status: site.status });

export async function createSite(
  db: Db,
  orgId: string,
  name: string,
  actor: AuditActor,
): Promise<Site> {
  return await inTransaction(db, async (tx) => {
    const site = await tx.insertInto("sites").values({ org_id: orgId, name }).returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId,
      entity: "site",
      entityId: site.id,
      label: site.name,
      action: "create",
      actor,
      before: null,
      after: audited(site),
    });
    return site;
  });
}

export async function getSite(db: Db, id: string): Promise<Site | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updateSite(
  db: Db,
  site: Site,
  change: { name?: string; status?: Status },
  actor: AuditActor,
): Promise<Site> {
  if (!change.name && !change.status) return site;
  return await inTransaction(db, async (tx) => {
    const changed = await tx.updateTable("sites").set(change)
      .where("id", "=", site.id).where("org_id", "=", site.org_id)
      .returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: site.org_id,
      entity: "site",
      entityId: site.id,
      label: changed.name,
      action: "update",
      actor,
      before: audited(site),
      after: audited(changed),
    });
    return changed;
  });
}

export async function deleteSite(db: Db, site: Site, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (tx) => {
    // Locked first, as for a POS: a token being issued for the site is then seen below.
    await tx.selectFrom("sites").select("id").where("id", "=", site.id).forUpdate().execute();
    const store = await tx.selectFrom("stores").select("id").where("site_id", "=", site.id)
      .where("org_id", "=", site.org_id).executeTakeFirst();
    if (store) throw hasHistory("site", "it has stores");
    const token = await tx.selectFrom("access_tokens").select("jti")
      .where("org_id", "=", site.org_id).where("kind", "=", "site")
      .where("principal_id", "=", site.id).executeTakeFirst();
    if (token) throw hasHistory("site", "tokens were issued for it");
    await tx.deleteFrom("sites").where("id", "=", site.id).where("org_id", "=", site.org_id)
      .execute();
    await recordAudit(tx, {
      orgId: site.org_id,
      entity: "site",
      entityId: site.id,
      label: site.name,
      action: "delete",
      actor,
      before: audited(site),
      after: null,
    });
  });
}
