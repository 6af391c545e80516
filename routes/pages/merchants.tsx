import { authorized } from "../../auth/authorize.ts";
import { Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { Fact, Facts } from "../../components/Facts.tsx";
import type { AppEnv } from "../../http/env.ts";
import MerchantDetail from "../../islands/merchants/MerchantDetail.tsx";
import MerchantManager, { type MerchantOrg } from "../../islands/merchants/MerchantManager.tsx";
import { NOT_IN_GROUP } from "../../islands/merchants/labels.ts";
import { getGroup, listGroups } from "../../programme/groups.ts";
import { listMerchants, merchantStores, storeLinks } from "../../programme/merchants.ts";
import {
  getOrganization,
  getOrganizationTree,
  listOrganizations,
} from "../../registry/organizations.ts";
import { Island } from "../../web/island.tsx";
import { renderPage } from "../../web/render.tsx";
import { posJson, storeJson, treeJson } from "../../registry/registry_json.ts";
import { groupJson, merchantJson } from "../../programme/programme_json.ts";

/** An organization's groups and merchants are a handful; past this the page says it stops. */
const MAX_ROWS = 500;

const storesJson = (stores: Awaited<ReturnType<typeof merchantStores>>) =>
  stores.map((s) => ({ ...storeJson(s), pos: s.pos.map(posJson) }));

export const merchantPages = new Hono<AppEnv>()
  .get("/console/merchants", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const orgs = await listOrganizations(db, await visibleOrgIds(db, staff));
    const loaded = await Promise.all(orgs.map(async (org): Promise<MerchantOrg | null> => {
      const [role, tree, groups, merchants, links] = await Promise.all([
        roleIn(db, staff, org.id),
        getOrganizationTree(db, org.id),
        listGroups(db, { orgIds: [org.id], limit: MAX_ROWS }),
        listMerchants(db, { orgIds: [org.id], limit: MAX_ROWS }),
        storeLinks(db, org.id),
      ]);
      // Deleted, or the membership removed, since the list was read: leave it out.
      if (!role || !tree || !can(role, "programme:read")) return null;
      // The tree already holds every store with its POS: pick each merchant's from it.
      const stores = tree.sites.flatMap((s) => s.stores).sort((a, b) => a.number - b.number);
      const withStores = merchants.map((m) => ({
        ...merchantJson(m),
        stores: storesJson(stores.filter((s) => links.get(m.id)?.includes(s.id))),
      }));
      return {
        tree: treeJson(tree),
        groups: groups.map(groupJson),
        merchants: withStores,
        manage: can(role, "merchants:manage"),
      };
    }));
    const shown = loaded.filter((o): o is MerchantOrg => o !== null);
    const full = shown.some((o) => o.groups.length === MAX_ROWS || o.merchants.length === MAX_ROWS);
    return renderPage(c, {
      title: "Merchants",
      body: (
        <>
          <p class="intro">
            A merchant trades in registered stores; a merchant group is a loyalty programme. The POS
            of a merchant's stores are refused until the merchant is in a group.
          </p>
          {full && (
            <p class="flash" role="status">
              Only the first {MAX_ROWS} groups and merchants of an organization are listed.
            </p>
          )}
          <Island of={MerchantManager} props={{ orgs: shown }} />
        </>
      ),
    });
  })
  .get("/console/merchants/:id", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const merchant = await authorized(c, "merchant", "programme:read");
    const role = (await roleIn(db, c.get("staff")!, merchant.org_id))!;
    const [stores, group, org] = await Promise.all([
      merchantStores(db, merchant),
      merchant.group_id ? getGroup(db, merchant.group_id) : undefined,
      getOrganization(db, merchant.org_id),
    ]);
    const posCount = stores.reduce((n, s) => n + s.pos.length, 0);
    return renderPage(c, {
      title: merchant.name,
      body: (
        <>
          <p class="intro">
            <a href="/console/merchants">← Merchants</a>
          </p>
          <section class="card">
            <Facts>
              <Fact term="Organization">{org?.name}</Fact>
              <Fact term="Merchant group">
                {group
                  ? <a href={`/console/settings?group=${group.id}`}>{group.name}</a>
                  : <span class="badge warn">{NOT_IN_GROUP}</span>}
              </Fact>
              <Fact term="Stores">{stores.length}</Fact>
              <Fact term="POS">{posCount}</Fact>
            </Facts>
            {!group && (
              <p class="hint">
                Add it to a merchant group on the <a href="/console/merchants">Merchants</a>{" "}
                page: until then every call from its POS is refused.
              </p>
            )}
          </section>
          <Island
            of={MerchantDetail}
            props={{
              merchant: { id: merchant.id, name: merchant.name },
              stores: storesJson(stores),
              manageTokens: can(role, "tokens:manage"),
            }}
          />
        </>
      ),
    });
  });
