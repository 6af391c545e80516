import { type Context, Hono } from "hono";
import { visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { GroupChooser } from "../../components/GroupChooser.tsx";
import { OverviewFigures } from "../../components/reports/OverviewFigures.tsx";
import type { AppEnv } from "../../http/env.ts";
import { listGroups } from "../../programme/groups.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { reportScope } from "../../reports/filters.ts";
import { overview } from "../../reports/overview.ts";
import { reportContext } from "../../reports/report.ts";
import { countStaff } from "../../staff/users.ts";
import { renderPage } from "../../web/render.tsx";

/** The chosen merchant group's headline figures, with the chooser; null without a group. */
async function headline(c: Context<AppEnv>) {
  const { db } = c.get("deps");
  const orgIds = await visibleOrgIds(db, c.get("staff")!);
  const asked = c.req.query("group");
  const [groups, orgs] = await Promise.all([
    listGroups(db, { orgIds, limit: 500 }),
    listOrganizations(db, orgIds),
  ]);
  const group = asked ? await authorized(c, "merchant group", "programme:read", asked) : groups[0];
  if (!group) return null;
  const scope = await reportScope(db, group);
  return {
    groups,
    group,
    orgNames: new Map(orgs.map((o) => [o.id, o.name])),
    overview: await overview(db, await reportContext(db, scope)),
  };
}

export const consolePages = new Hono<AppEnv>()
  .get("/", async (c) => {
    if (!(await countStaff(c.get("deps").db))) return c.redirect("/setup");
    return c.redirect(c.get("staff") ? "/console" : "/login");
  })
  .get("/console", requireStaff, async (c) => {
    const staff = c.get("staff")!;
    const view = await headline(c);
    return renderPage(c, {
      title: "Overview",
      body: (
        <>
          {view
            ? (
              <>
                {view.groups.length > 1 && (
                  <GroupChooser
                    action="/console"
                    class="row chooser"
                    groups={view.groups}
                    current={view.group}
                    orgNames={view.orgNames}
                  />
                )}
                <OverviewFigures
                  o={view.overview}
                  reportsHref={`/console/reports?group=${view.group.id}`}
                />
              </>
            )
            : (
              <section class="card">
                <h2>No programme yet</h2>
                <p class="muted">
                  The overview shows a merchant group's figures: create one on the{" "}
                  <a href="/console/merchants">Merchants</a> page.
                </p>
              </section>
            )}
          <section class="card">
            <p>
              Signed in as <strong>{staff.email}</strong>
              {staff.is_owner ? " (owner)" : ""}. Database: <code>{c.get("deps").dbKind}</code>.
            </p>
            <p>
              POS integrators: the API is described at <a href="/docs/api">API reference</a> and
              {" "}
              <a href="/openapi.json">/openapi.json</a>.
            </p>
          </section>
        </>
      ),
    });
  });
