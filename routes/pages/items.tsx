import { authorized } from "../../auth/authorize.ts";
import { Hono } from "hono";
import { visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { GroupSelect } from "../../components/GroupChooser.tsx";
import type { AppEnv } from "../../http/env.ts";
import { decodeCursor, page } from "../../http/pagination.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { type Item, itemCategories, listItems } from "../../catalogue/items.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage } from "../../web/render.tsx";
import { groupCurrency } from "../../reports/members.ts";
import { formatMoney } from "../../web/format.ts";

const PAGE_SIZE = 50;

interface View {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  group: MerchantGroup;
  categories: string[];
  q: string;
  category: string;
  items: Item[];
  nextCursor: string | null;
  /** The currency the programme's prices are in (reports/members.ts groupCurrency). */
  currency: string;
}

function ItemsPage({ view }: { view: View }) {
  const { group, q, category, items } = view;
  const next = new URLSearchParams({ group: group.id, q, category, cursor: view.nextCursor ?? "" });
  return (
    <>
      <p class="intro">
        The catalogue rules select lines from, and wholesale orders are priced from. Items are
        loaded through the API (<code>PUT /api/admin/v1/merchant-groups/{"{id}"}/items</code>).
      </p>
      <form method="get" action="/console/items" class="row" role="search">
        <GroupSelect groups={view.groups} current={group} orgNames={view.orgNames} />
        <label>
          Search
          <input name="q" type="search" value={q} maxLength={200} aria-describedby="q-hint" />
          <span id="q-hint" class="hint">start of the SKU, or part of the name</span>
        </label>
        <label>
          Category
          <select name="category">
            <option value="">All categories</option>
            {view.categories.map((cat) => (
              <option value={cat} selected={cat === category}>{cat}</option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <section class="card">
        <table>
          <thead>
            <tr>
              <th>SKU</th>
              <th>Name</th>
              <th>Category</th>
              {[1, 2, 3, 4, 5].map((n) => <th key={n} class="num">Price {n}</th>)}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr>
                <td>
                  <code>{item.sku}</code>
                </td>
                <td>{item.name}</td>
                <td>{item.category}</td>
                {item.prices.map((p, i) => (
                  <td key={i} class="num">{formatMoney(p, view.currency)}</td>
                ))}
              </tr>
            ))}
            {items.length === 0 && (
              <tr>
                <td colSpan={8}>{q || category ? "No item matches." : "No items yet."}</td>
              </tr>
            )}
          </tbody>
        </table>
        {view.nextCursor && (
          <p>
            <a href={`/console/items?${next}`} rel="next">Next {PAGE_SIZE} →</a>
          </p>
        )}
      </section>
    </>
  );
}

/** The item catalogue of a group: search, category filter, pages of PAGE_SIZE. */
export const itemPages = new Hono<AppEnv>()
  .get("/console/items", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const orgIds = await visibleOrgIds(db, staff);
    const groups = await listGroups(db, { orgIds, limit: 500 });
    const chosen = c.req.query("group");
    const group = chosen
      ? await authorized(c, "merchant group", "programme:read", chosen)
      : groups[0];
    if (!group) {
      return renderPage(c, {
        title: "Items",
        body: (
          <section class="card">
            <p>There is no merchant group yet: items belong to a merchant group.</p>
          </section>
        ),
      });
    }
    const q = (c.req.query("q") ?? "").slice(0, 200);
    const category = (c.req.query("category") ?? "").slice(0, 64);
    const [orgs, categories, rows, currency] = await Promise.all([
      listOrganizations(db, orgIds),
      itemCategories(db, group),
      listItems(db, group, {
        q,
        category: category || undefined,
        limit: PAGE_SIZE + 1,
        afterSku: decodeCursor(c.req.query("cursor") || undefined, ["text"])?.[0],
      }),
      groupCurrency(db, { group }),
    ]);
    const result = page(rows, PAGE_SIZE, (i) => [i.sku]);
    const view: View = {
      groups,
      orgNames: new Map(orgs.map((o) => [o.id, o.name])),
      group,
      categories,
      q,
      category,
      items: result.items,
      nextCursor: result.nextCursor,
      currency,
    };
    return renderPage(c, { title: "Items", body: <ItemsPage view={view} /> });
  });
