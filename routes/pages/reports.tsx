import { type Context, Hono } from "hono";
import { visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { formatPoints } from "../../components/customers/format.ts";
import { ReportFilters } from "../../components/reports/ReportFilters.tsx";
import { ReportSection } from "../../components/reports/ReportSection.tsx";
import { formatCount } from "../../components/series/format.ts";
import { type FieldError, ProblemError } from "../../errors/problem.ts";
import type { AppEnv } from "../../http/env.ts";
import { formatMoney } from "../../money/amount.ts";
import { listGroups } from "../../programme/groups.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import {
  categoryCodes,
  defaultPeriod,
  type FilterInput,
  parseFilters,
  type ReportFilters as Filters,
  reportScope,
} from "../../reports/filters.ts";
import { type Report, reportContext, runReport } from "../../reports/report.ts";
import { REPORT_NAMES, type ReportName } from "../../reports/tables.ts";
import { formatShare } from "../../web/format.ts";
import { renderPage } from "../../web/render.tsx";

const SECTIONS: Record<ReportName, { title: string; about: string }> = {
  points: {
    title: "Points per day",
    about: "Points issued by sales, spent as tender, adjusted by staff and taken back by " +
      "returns, from the ledger, on each trading day.",
  },
  members: {
    title: "Members and non-members",
    about: "Transactions and spend (sales less returns) of members and of everyone else, per " +
      "store and trading day, from the sales.",
  },
  activity: {
    title: "Member activity",
    about: "Members with a sale (active), customers who joined (new, on their home store's " +
      "clock) and visits, per trading day.",
  },
  liability: {
    title: "Outstanding liability",
    about: "What the programme owes at the end of each day: members' points (and their worth " +
      "at the point value setting) and the money on each gift-card and store-credit series. A " +
      "balance belongs to no store: the store filter does not apply.",
  },
  rules: {
    title: "Top rules",
    about: "The earning rules that awarded most points to the period's sales (before returns).",
  },
};

/** Figures of the whole period shown above a report's chart. */
function summary(r: Report): { label: string; value: string }[] | undefined {
  const f = r.figures;
  switch (f.name) {
    case "points": {
      const sum = (k: "issued" | "redeemed" | "adjusted" | "reversed") =>
        formatPoints(f.days.reduce((s, d) => s + d[k], 0));
      return [
        { label: "Issued", value: sum("issued") },
        { label: "Redeemed", value: sum("redeemed") },
        { label: "Adjusted", value: sum("adjusted") },
        { label: "Reversed by returns", value: sum("reversed") },
      ];
    }
    case "members":
      return [{ label: "Member share of spend", value: formatShare(f.spend.memberShare) }];
    case "activity":
      return [
        { label: "Active members", value: formatCount(f.activity.activeMembers) },
        { label: "New members", value: formatCount(f.activity.newMembers) },
        { label: "Visits", value: formatCount(f.activity.visits) },
        {
          label: "Visits per member",
          value: f.activity.visitsPerMember?.toFixed(2) ?? "–",
        },
      ];
    case "liability": {
      const l = f.liability;
      const last = l.days.length - 1;
      return [
        { label: "Points owed", value: formatPoints(l.points[last]) },
        { label: "Worth", value: formatMoney(l.pointsMoney[last], l.currency) },
        ...l.series.map((s) => ({ label: s.name, value: formatMoney(s.owed[last], s.currency) })),
      ];
    }
    case "rules":
      return undefined;
  }
}

/** The API's CSV of one report with the page's filters. */
function csvHref(groupId: string, name: ReportName, f: Filters) {
  const q = new URLSearchParams({ format: "csv", from: f.from, to: f.to });
  if (f.storeId) q.set("store", f.storeId);
  if (f.category) q.set("category", f.category);
  return `/api/admin/v1/merchant-groups/${groupId}/reports/${name}?${q}`;
}

async function reportsPage(c: Context<AppEnv>) {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const asked = c.req.query("group");
  const orgIds = await visibleOrgIds(db, staff);
  const group = asked
    ? await authorized(c, "merchant group", "programme:read", asked)
    : (await listGroups(db, { orgIds, limit: 1 }))[0];
  if (!group) {
    return renderPage(c, {
      title: "Reports",
      body: (
        <section class="card">
          <p>There is no merchant group yet: reports show a programme's figures.</p>
        </section>
      ),
    });
  }
  const input: FilterInput = {
    from: c.req.query("from"),
    to: c.req.query("to"),
    store: c.req.query("store"),
    category: c.req.query("category"),
  };
  const [groups, orgs, scope] = await Promise.all([
    listGroups(db, { orgIds, limit: 500 }),
    listOrganizations(db, orgIds),
    reportScope(db, group),
  ]);
  let filters: Filters | undefined;
  let errors: FieldError[] = [];
  try {
    filters = parseFilters(scope, input);
  } catch (e) {
    if (!(e instanceof ProblemError) || !e.extra.errors) throw e;
    errors = e.extra.errors;
  }
  const [categories, reports] = await Promise.all([
    categoryCodes(db, scope),
    filters
      ? reportContext(db, scope).then((ctx) =>
        Promise.all(REPORT_NAMES.map((name) => runReport(db, ctx, name, filters!)))
      )
      : [],
  ]);
  const period = filters ?? defaultPeriod(scope);
  return renderPage(c, {
    title: "Reports",
    body: (
      <>
        <ReportFilters
          groups={groups}
          group={group}
          orgNames={new Map(orgs.map((o) => [o.id, o.name]))}
          stores={scope.stores}
          categories={categories}
          values={{ ...input, from: input.from || period.from, to: input.to || period.to }}
          errors={errors}
        />
        {reports.map((r) => (
          <ReportSection
            id={`report-${r.figures.name}`}
            {...SECTIONS[r.figures.name]}
            report={r}
            csvHref={csvHref(group.id, r.figures.name, r.filters)}
            summary={summary(r)}
          />
        ))}
      </>
    ),
  }, errors.length ? 422 : 200);
}

/** The programme's figures, each chart with its table and CSV. */
export const reportPages = new Hono<AppEnv>().get("/console/reports", requireStaff, reportsPage);
