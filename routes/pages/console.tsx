import { type Context, Hono } from "hono";
import { visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { simulationJson } from "../../earning/earning_json.ts";
import { publishedRules } from "../../earning/rule_sets.ts";
import { simulate } from "../../earning/simulate.ts";
import type { AppEnv } from "../../http/env.ts";
import PointsPreview, {
  earned,
  exampleBasket,
  type PointsPreviewProps,
} from "../../islands/PointsPreview.tsx";
import { minorUnitDigits } from "../../money/currency.ts";
import { listGroups } from "../../programme/groups.ts";
import { groupStores } from "../../programme/merchants.ts";
import { countStaff } from "../../staff/users.ts";
import { Island } from "../../web/island.tsx";
import { renderPage } from "../../web/render.tsx";

/** The example basket of the overview: 50.00 EUR spent by a customer of type MEMBER. */
const EXAMPLE = { currency: "EUR", spend: 5000, customerType: "MEMBER" };

/**
 * The points preview of the caller's first merchant group, priced now with its published
 * rules at its first store; a sentence instead when there is nothing to price yet.
 */
async function preview(c: Context<AppEnv>): Promise<PointsPreviewProps | string> {
  const { db } = c.get("deps");
  const [group] = await listGroups(db, {
    orgIds: await visibleOrgIds(db, c.get("staff")!),
    limit: 1,
  });
  if (!group) return "No merchant group yet: the points preview shows once rules are published.";
  const [published, stores] = await Promise.all([
    publishedRules(c.get("programmes"), db, group),
    groupStores(db, group),
  ]);
  if (!published) return `${group.name} has no published earning rules yet.`;
  const store = stores[0];
  if (!store) return `${group.name} has no store yet to price a basket at.`;
  const simulation = await simulate(db, group, {
    rules: published.rules,
    basket: exampleBasket({ ...EXAMPLE, storeNumber: store.number }),
  });
  return {
    groupId: group.id,
    groupName: group.name,
    version: published.version,
    rules: published.rules,
    store: { number: store.number, name: store.name },
    currency: EXAMPLE.currency,
    digits: minorUnitDigits(EXAMPLE.currency),
    spend: EXAMPLE.spend,
    customerType: EXAMPLE.customerType,
    initial: earned(simulationJson(simulation)),
  };
}

export const consolePages = new Hono<AppEnv>()
  .get("/", async (c) => {
    if (!(await countStaff(c.get("deps").db))) return c.redirect("/setup");
    return c.redirect(c.get("staff") ? "/console" : "/login");
  })
  .get("/console", requireStaff, async (c) => {
    const staff = c.get("staff")!;
    const points = await preview(c);
    return renderPage(c, {
      title: "Overview",
      body: (
        <>
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
          {typeof points === "string"
            ? (
              <section class="card">
                <h2>Points preview</h2>
                <p class="muted">
                  {points} Earning rules are written on the <a href="/console/rules">Rules</a> page.
                </p>
              </section>
            )
            : <Island of={PointsPreview} props={points} />}
        </>
      ),
    });
  });
