import { Hono } from "hono";
import { requireStaff } from "../../auth/middleware.ts";
import { auditableOrgIds, auditFacets } from "../../audit/log.ts";
import type { AppEnv } from "../../http/env.ts";
import { validationError, zodFieldErrors } from "../../errors/problem.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage } from "../../web/render.tsx";
import { auditScope } from "../../audit/scope.ts";
import { auditPage } from "../../audit/audit_json.ts";
import { AuditFilter, auditJson, type AuditRow } from "../../audit/audit_json.ts";
import { when } from "../../web/format.ts";

/** A JSON value as one short line: strings quoted, so "" and none stay apart. */
function Value({ v }: { v: unknown }) {
  if (v === null || v === undefined) return <span class="muted">none</span>;
  return <code>{JSON.stringify(v)}</code>;
}

function Changes({ entry }: { entry: ReturnType<typeof auditJson> }) {
  if (!entry.diff.length) return <span class="muted">no field changed</span>;
  return (
    <ul class="diff">
      {entry.diff.map((d) => (
        <li>
          <code>{d.path}</code>: <Value v={d.before} /> → <Value v={d.after} />
        </li>
      ))}
    </ul>
  );
}

/** Where to see the changed thing itself, for the entities that have a page. */
const entityPage = (e: { entity: string; entityId: string }) =>
  e.entity === "loyalty-settings" ? `/console/settings?group=${e.entityId}` : undefined;

/** The audit log: filter by entity and by staff member, newest first, older pages on demand. */
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
      cursor: q.cursor || undefined,
    });
    if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
    const { organizationId, ...filter } = parsed.data;
    const scope = await auditScope(db, staff, organizationId);
    const [{ items, nextCursor }, facets, orgs] = await Promise.all([
      auditPage(db, scope, filter),
      auditFacets(db, readable),
      listOrganizations(db, readable),
    ]);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    const showOrg = orgs.length > 1;
    const olderParams = new URLSearchParams(
      Object.entries({ ...q, cursor: nextCursor ?? "" }).filter(([, v]) => v),
    );
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
                {facets.entities.map((e) => (
                  <option value={e} selected={filter.entity === e}>{e}</option>
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
                Only <code>{filter.entityId}</code> · <a href="/console/audit">show all</a>
              </span>
            )}
          </form>
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
              {items.map((row: AuditRow) => {
                const e = auditJson(row);
                const page = entityPage(e);
                return (
                  <tr>
                    <td>
                      <time datetime={e.at}>{when(new Date(e.at))}</time>
                    </td>
                    <td>{e.actor.label}</td>
                    {showOrg && <td>{orgName.get(e.organizationId ?? "") ?? ""}</td>}
                    <td>
                      {e.action} {page ? <a href={page}>{e.entity}</a> : e.entity}
                      <br />
                      <a
                        class="muted"
                        href={`/console/audit?entity=${encodeURIComponent(e.entity)}&entityId=${
                          encodeURIComponent(e.entityId)
                        }`}
                        title="Only this one's history"
                      >
                        <code>{e.entityId}</code>
                      </a>
                    </td>
                    <td>
                      <Changes entry={e} />
                    </td>
                  </tr>
                );
              })}
              {items.length === 0 && (
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
