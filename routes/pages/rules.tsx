import { Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { GroupChooser, groupLabel } from "../../components/GroupChooser.tsx";
import {
  catalogueJson,
  draftJson,
  summaryJson,
  versionJson,
  vocabularyJson,
} from "../../earning/earning_json.ts";
import { getRuleSet, getVersion, listVersions } from "../../earning/rule_sets.ts";
import { ruleVocabulary } from "../../earning/vocabulary.ts";
import type { AppEnv } from "../../http/env.ts";
import { page } from "../../http/pagination.ts";
import RuleEditor from "../../islands/rules/RuleEditor.tsx";
import { listGroups } from "../../programme/groups.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { Island } from "../../web/island.tsx";
import { renderPage } from "../../web/render.tsx";

/** Published versions listed at first; the island asks for older ones. */
const VERSIONS_PAGE = 20;

/**
 * The earning rules of one merchant group: the editor island gets everything it shows (the
 * rule language, the programme's pickers, the draft, the live version, the latest versions)
 * in its props, so it opens without a round trip.
 */
export const rulePages = new Hono<AppEnv>()
  .get("/console/rules", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const orgIds = await visibleOrgIds(db, staff);
    const chosen = c.req.query("group");
    const [groups, orgs] = await Promise.all([
      listGroups(db, { orgIds, limit: 500 }),
      listOrganizations(db, orgIds),
    ]);
    const group = chosen
      ? await authorized(c, "merchant group", "programme:read", chosen)
      : groups[0];
    if (!group) {
      return renderPage(c, {
        title: "Earning rules",
        body: (
          <section class="card">
            <p>
              There is no merchant group yet. Earning rules belong to a merchant group (a loyalty
              programme): create one on the <a href="/console/merchants">Merchants</a> page.
            </p>
          </section>
        ),
      });
    }
    const [role, set, vocabulary, versions] = await Promise.all([
      roleIn(db, staff, group.org_id),
      getRuleSet(db, group),
      ruleVocabulary(db, group),
      listVersions(db, group, { limit: VERSIONS_PAGE + 1 }),
    ]);
    const live = set.published ? await getVersion(db, group, set.published.version) : null;
    const orgNames = new Map(orgs.map((o) => [o.id, o.name]));
    const { items, nextCursor } = page(versions, VERSIONS_PAGE, (v) => [String(v.version)]);
    return renderPage(c, {
      title: "Earning rules",
      body: (
        <>
          {groups.length > 1 && (
            <GroupChooser
              action="/console/rules"
              class="row chooser"
              groups={groups}
              current={group}
              orgNames={orgNames}
            />
          )}
          <p class="intro">
            Edit the draft, try it on a basket, then publish it: the POS prices every sale with the
            published version only.
          </p>
          <Island
            of={RuleEditor}
            props={{
              groupId: group.id,
              groupName: groupLabel(groups, orgNames, group),
              catalogue: catalogueJson(),
              vocabulary: vocabularyJson(vocabulary),
              draft: draftJson(set.draft),
              published: live && versionJson(live),
              versions: { items: items.map(summaryJson), nextCursor },
              canManage: role !== null && can(role, "rules:manage"),
            }}
          />
        </>
      ),
    });
  });
