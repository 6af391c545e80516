import { Hono } from "hono";
import { requireStaff } from "../../auth/middleware.ts";
import { auditableOrgIds, auditFacets } from "../../audit/log.ts";
import type { AppEnv } from "../../http/env.ts";
import { validationError, zodFieldErrors } from "../../errors/problem.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { orgTimeZones } from "../../registry/stores.ts";
import { groupNames } from "../../programme/groups.ts";
import { renderPage } from "../../web/render.tsx";
import { auditScope } from "../../audit/scope.ts";
import { AuditFilter, auditJson, auditPage } from "../../audit/audit_json.ts";
import { when } from "../../web/format.ts";
import { Changes, What, Who } from "../../components/audit/AuditEntry.tsx";
import { ENTITY_NAMES, entityName } from "../../components/audit/fields.ts";

/** Entities whose id is their merchant group's: named by the group when the entry has no name. */
const BY_GROUP = new Set(["loyalty-settings", "rule-set", "items"]);

/**
 * The audit log: filter by what changed, one thing's history, who changed it and when; newest
 * first, older pages on demand.
 */
export const auditPages = new Hono<AppEnv>()
  .get("/console/audit", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const readable = await auditableOrgIds(db, staff);
    if (readable && readable.length === 0) {
      return renderPage(c, {
        title: "Audit log",
        body: (
          <section class="card">
            <p>Your role does not include the audit log; admins and marketing staff can read it.</p>
          </section>
        ),
      }, 403);
    }
    const q = c.req.query();
    const parsed = AuditFilter.safeParse({
      entity: q.entity || undefined,
      entityId: q.entityId || undefined,
      actorId: q.actor || undefined,
      organizationId: q.org || undefined,
      from: q.from || undefined,
      to: q.to || undefined,
      cursor: q.cursor || undefined,
    });
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    const { organizationId, ...filter } = parsed.data;
    const scope = await auditScope(db, staff, organizationId);
    const [{ items, nextCursor }, facets, orgs, zones] = await Promise.all([
      auditPage(db, scope, filter),
      auditFacets(db, readable),
      listOrganizations(db, readable),
      orgTimeZones(db, readable),
    ]);
    /** An entry's clock: its organization's; installation-wide entries are read in UTC. */
    const zoneOf = (e: { organizationId: string | null }) =>
      (e.organizationId && zones.get(e.organizationId)) || "UTC";
    const entries = items.map(auditJson);
    const groups = await groupNames(
      db,
      entries.filter((e) => !e.label && BY_GROUP.has(e.entity)).map((e) => e.entityId),
    );
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    const showOrg = orgs.length > 1 || readable === null;
    const olderParams = new URLSearchParams(
      Object.entries({ ...q, cursor: nextCursor ?? "" }).filter(([, v]) => v),
    );
    const entities = [
      ...Object.keys(ENTITY_NAMES).filter((e) => facets.entities.includes(e)),
      ...facets.entities.filter((e) => !(e in ENTITY_NAMES)),
    ];
    const only = filter.entityId ? entries[0]?.label ?? filter.entityId : undefined;
    return renderPage(c, {
      title: "Audit log",
      body: (
        <>
          <p class="intro">Every change to the programme: who made it, when, and what changed.</p>
          <form method="get" action="/console/audit" class="row card filters">
            <label>
              What changed
              <select name="entity">
                <option value="">Everything</option>
                {entities.map((e) => (
                  <option value={e} selected={filter.entity === e}>{entityName(e)}</option>
                ))}
              </select>
            </label>
            <label>
              Changed by
              <select name="actor">
                <option value="">Anyone</option>
                {facets.actors.map((a) => (
                  <option value={a.id} selected={filter.actorId === a.id}>{a.label}</option>
                ))}
              </select>
            </label>
            <label>
              From
              <input type="date" name="from" value={filter.from ?? ""} />
            </label>
            <label>
              To
              <input type="date" name="to" value={filter.to ?? ""} />
            </label>
            {showOrg && (
              <label>
                Organization
                <select name="org">
                  <option value="">All</option>
                  {orgs.map((o) => (
                    <option value={o.id} selected={organizationId === o.id}>{o.name}</option>
                  ))}
                </select>
              </label>
            )}
            {filter.entityId && <input type="hidden" name="entityId" value={filter.entityId} />}
            <button type="submit">Filter</button>
            {filter.entityId && (
              <span class="muted">
                Only the history of <strong>{only}</strong> · <a href="/console/audit">show all</a>
              </span>
            )}
          </form>
          <p class="muted">
            Times are on the organization's clock, with its offset; the date filter's days are UTC
            days.
          </p>
          <table class="audit">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                {showOrg && <th>Organization</th>}
                <th>What</th>
                <th>Changes</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr>
                  <td>
                    <time datetime={e.at}>{when(e.at, zoneOf(e))}</time>
                  </td>
                  <td>
                    <Who entry={e} />
                  </td>
                  {showOrg && (
                    <td>
                      {e.organizationId
                        ? orgName.get(e.organizationId) ??
                          <span class="muted">deleted organization</span>
                        : <span class="muted">installation</span>}
                    </td>
                  )}
                  <td>
                    <What entry={e} name={groups.get(e.entityId)} />
                  </td>
                  <td>
                    <Changes entry={e} timeZone={zoneOf(e)} />
                  </td>
                </tr>
              ))}
              {entries.length === 0 && (
                <tr>
                  <td colSpan={showOrg ? 5 : 4}>No entries match.</td>
                </tr>
              )}
            </tbody>
          </table>
          {nextCursor && (
            <p>
              <a href={`/console/audit?${olderParams}`} rel="next">Older entries</a>
            </p>
          )}
        </>
      ),
    });
  });
