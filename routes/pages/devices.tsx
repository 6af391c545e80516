import { Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import type { AppEnv } from "../../http/env.ts";
import DeviceTree, { type DeviceOrg } from "../../islands/DeviceTree.tsx";
import { getOrganizationTree, listOrganizations } from "../../registry/organizations.ts";
import { Island } from "../../web/island.tsx";
import { renderPage } from "../../web/render.tsx";
import { treeJson } from "../../registry/registry_json.ts";

export const devicePages = new Hono<AppEnv>()
  .get("/console/devices", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const orgs = await listOrganizations(db, await visibleOrgIds(db, staff));
    const loaded = await Promise.all(orgs.map(async (org): Promise<DeviceOrg | null> => {
      const [role, tree] = await Promise.all([
        roleIn(db, staff, org.id),
        getOrganizationTree(db, org.id),
      ]);
      // Deleted, or the membership removed, since the list was read: leave it out.
      if (!role || !tree) return null;
      return {
        tree: treeJson(tree),
        access: {
          manageOrg: can(role, "org:manage"),
          manageRegistry: can(role, "registry:manage"),
          manageTokens: can(role, "tokens:manage"),
        },
      };
    }));
    return renderPage(c, {
      title: "Devices",
      body: (
        <>
          <p class="intro">
            An organization groups sites; a site groups stores; each store has its POS terminals. A
            POS or a site calls the POS API with a token issued here.
          </p>
          <Island
            of={DeviceTree}
            props={{
              isOwner: staff.is_owner,
              orgs: loaded.filter((o): o is DeviceOrg => o !== null),
            }}
          />
        </>
      ),
    });
  });
