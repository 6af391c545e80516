/**
 * The rule set of a merchant group: one draft that marketing edits, and published versions
 * 1, 2, 3… that the POS evaluates (always the latest). A group starts with the empty draft at
 * version 1 and nothing published; its draft row is written on the first change. Every save,
 * publish and restore bumps what it changes and writes one audit entry (`rule-set`, the group
 * id) whose diff names rules by id, e.g. `rules.double-tuesday.event.params.factor`.
 */
import { sql } from "kysely";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { Json } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { notFound, ProblemError, validationError } from "../errors/problem.ts";
import type { ProgrammeCache } from "../programme/cache.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { engineFor } from "../rules/engine.ts";
import { parseRuleSet, type Rule } from "../rules/schema.ts";
import { validateRuleSet } from "../rules/validation.ts";
import type { StaffUser } from "../staff/users.ts";

type Group = Pick<MerchantGroup, "id" | "org_id" | "created_at">;
type Actor = Pick<StaffUser, "id" | "email">;

export interface Draft {
  version: number;
  rules: Rule[];
  updatedAt: Date;
  /** Email of who saved it; null for the initial empty draft. */
  updatedBy: string | null;
}

export interface PublishedSummary {
  version: number;
  /** The draft version it was published from. */
  draftVersion: number;
  publishedAt: Date;
  publishedBy: string | null;
  ruleCount: number;
}

export interface PublishedVersion extends PublishedSummary {
  rules: Rule[];
}

/** The draft of a group that has never changed its rules. */
const initialDraft = (group: Group): Draft => ({
  version: 1,
  rules: [],
  updatedAt: group.created_at,
  updatedBy: null,
});

type DraftRow = {
  version: number;
  rules: Json;
  updated_at: Date;
  updated_by_label: string | null;
};

// Rules are written only by this module, from rule sets that passed validateRuleSet.
const draftOf = (row: DraftRow): Draft => ({
  version: row.version,
  rules: row.rules as unknown as Rule[],
  updatedAt: row.updated_at,
  updatedBy: row.updated_by_label,
});

type VersionRow = {
  version: number;
  draft_version: number;
  published_at: Date;
  published_by_label: string | null;
};

const summaryOf = (row: VersionRow & { rule_count: number }): PublishedSummary => ({
  version: row.version,
  draftVersion: row.draft_version,
  publishedAt: row.published_at,
  publishedBy: row.published_by_label,
  ruleCount: row.rule_count,
});

/** Rule documents checked as a save checks them: 422 naming `rules/<index>/<field>…`. */
export async function checkRules(input: unknown): Promise<Rule[]> {
  const result = await validateRuleSet(input);
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.map((issue) => ({
      field: ["rules", ...issue.path.map(String)].join("/"),
      message: issue.message,
    })),
    "the rule set is not valid; each error names the rule's index and the field at fault",
  );
}

/** The group's draft (the initial empty one until the first change). */
export async function getDraft(db: Db, group: Group): Promise<Draft> {
  const row = await db.selectFrom("rule_set_drafts")
    .select(["version", "rules", "updated_at", "updated_by_label"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id).executeTakeFirst();
  return row ? draftOf(row) : initialDraft(group);
}

const ruleCount = sql<number>`json_array_length(rules)`.as("rule_count");

/** The latest published version of the group, without its rules; null before the first. */
async function latestSummary(db: Db, group: Group): Promise<PublishedSummary | null> {
  const row = await db.selectFrom("rule_set_versions")
    .select(["version", "draft_version", "published_at", "published_by_label", ruleCount])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .orderBy("version", "desc").limit(1).executeTakeFirst();
  return row ? summaryOf(row) : null;
}

/** The draft and the latest published version. */
export async function getRuleSet(db: Db, group: Group) {
  const [draft, published] = await Promise.all([getDraft(db, group), latestSummary(db, group)]);
  return { draft, published };
}

/**
 * The group's draft, locked until the transaction ends: every write to a rule set takes this
 * lock first, so saves, publishes and restores of one group happen one after another. The row
 * is created (as the initial draft) when the group has none yet.
 */
async function lockDraft(tx: Db, group: Group): Promise<Draft> {
  const initial = initialDraft(group);
  await tx.insertInto("rule_set_drafts").values({
    group_id: group.id,
    org_id: group.org_id,
    version: initial.version,
    rules: "[]",
    updated_at: initial.updatedAt,
  }).onConflict((oc) => oc.column("group_id").doNothing()).execute();
  const row = await tx.selectFrom("rule_set_drafts")
    .select(["version", "rules", "updated_at", "updated_by_label"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .forUpdate().executeTakeFirstOrThrow();
  return draftOf(row);
}

/** 409 with what the caller needs to start again: the current draft. */
const staleDraft = (sent: number, current: Draft) =>
  new ProblemError(409, "stale-version", "The draft was changed since you loaded it", {
    detail: `your change was based on draft version ${sent}; the current draft version is ` +
      `${current.version}. Load it, apply your change again and save.`,
    version: current.version,
    rules: current.rules,
    draft: { ...current, updatedAt: current.updatedAt.toISOString() },
  });

/** A rule set as the audit log shows it: rules by id (readable paths), and their order. */
function auditShape(rules: readonly Rule[], extra: Record<string, Json>): Json {
  return {
    ...extra,
    order: rules.map((r) => r.id),
    rules: Object.fromEntries(rules.map((r) => [r.id, r as unknown as Json])),
  };
}

async function writeDraft(tx: Db, group: Group, rules: readonly Rule[], actor: Actor) {
  const row = await tx.updateTable("rule_set_drafts")
    .set({
      rules: JSON.stringify(rules),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
      updated_by: actor.id,
      updated_by_label: actor.email,
    })
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .returning(["version", "rules", "updated_at", "updated_by_label"])
    .executeTakeFirstOrThrow();
  return draftOf(row);
}

/**
 * Saves the draft based on `version` (optimistic concurrency): invalid rules are a 422, a
 * stale version a 409 with the current draft. A save that changes nothing keeps the version
 * and writes no audit entry; otherwise the version goes up by one.
 */
export async function saveDraft(
  db: Db,
  group: Group,
  input: { version: number; rules: unknown },
  actor: Actor,
): Promise<Draft> {
  const rules = await checkRules(input.rules);
  return await inTransaction(db, async (tx) => {
    const current = await lockDraft(tx, group);
    if (current.version !== input.version) throw staleDraft(input.version, current);
    if (JSON.stringify(current.rules) === JSON.stringify(rules)) return current;
    const saved = await writeDraft(tx, group, rules, actor);
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "rule-set",
      entityId: group.id,
      action: "save-draft",
      actor,
      before: auditShape(current.rules, { draftVersion: current.version }),
      after: auditShape(saved.rules, { draftVersion: saved.version }),
    });
    return saved;
  });
}

/**
 * Publishes the draft as the next version (1, 2, 3…), which the next POS call evaluates.
 * `draftVersion` must be the current draft's (409 otherwise): what is published is exactly
 * what the publisher reviewed.
 */
export async function publishDraft(
  db: Db,
  group: Group,
  input: { draftVersion: number },
  actor: Actor,
): Promise<PublishedVersion> {
  return await inTransaction(db, async (tx) => {
    const draft = await lockDraft(tx, group);
    if (draft.version !== input.draftVersion) throw staleDraft(input.draftVersion, draft);
    const previous = await latestSummary(tx, group);
    const before = previous ? await getVersion(tx, group, previous.version) : null;
    const row = await tx.insertInto("rule_set_versions").values({
      group_id: group.id,
      org_id: group.org_id,
      version: (previous?.version ?? 0) + 1,
      draft_version: draft.version,
      rules: JSON.stringify(draft.rules),
      published_by: actor.id,
      published_by_label: actor.email,
    }).returning(["version", "draft_version", "published_at", "published_by_label"])
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "rule-set",
      entityId: group.id,
      action: "publish",
      actor,
      before: auditShape(before?.rules ?? [], { publishedVersion: before?.version ?? null }),
      after: auditShape(draft.rules, {
        publishedVersion: row.version,
        draftVersion: draft.version,
      }),
    });
    return { ...summaryOf({ ...row, rule_count: draft.rules.length }), rules: draft.rules };
  });
}

/**
 * The name of every rule the group ever published, by id, as its newest version calls it: what
 * a statement shows for the rule of a points entry, whichever version priced it.
 */
export async function ruleNames(db: Db, group: Group): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; name: string }>`
    select distinct on (r->>'id') r->>'id' as id, r->>'name' as name
    from rule_set_versions v, json_array_elements(v.rules) r
    where v.group_id = ${group.id} and v.org_id = ${group.org_id}
    order by r->>'id', v.version desc`.execute(db);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Published versions, newest first, a page at a time (`before`: versions below it). */
export async function listVersions(
  db: Db,
  group: Group,
  q: { limit: number; before?: number },
): Promise<PublishedSummary[]> {
  let query = db.selectFrom("rule_set_versions")
    .select(["version", "draft_version", "published_at", "published_by_label", ruleCount])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .orderBy("version", "desc").limit(q.limit);
  if (q.before !== undefined) query = query.where("version", "<", q.before);
  return (await query.execute()).map(summaryOf);
}

/** Published version `version` of the group, with its rules; 404 when there is none. */
export async function getVersion(db: Db, group: Group, version: number): Promise<PublishedVersion> {
  const row = await db.selectFrom("rule_set_versions")
    .select(["version", "draft_version", "published_at", "published_by_label", "rules", ruleCount])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .where("version", "=", version).executeTakeFirst();
  if (!row) throw notFound("published rule set version");
  return { ...summaryOf(row), rules: row.rules as unknown as Rule[] };
}

/**
 * Copies published version `version` into the draft, whose version goes up by one even when
 * it held the same rules (a restore is a deliberate act, audited as such); the rules are live
 * again only once published.
 */
export async function restoreVersion(
  db: Db,
  group: Group,
  version: number,
  actor: Actor,
): Promise<Draft> {
  return await inTransaction(db, async (tx) => {
    const current = await lockDraft(tx, group);
    const { rules } = await getVersion(tx, group, version);
    const restored = await writeDraft(tx, group, rules, actor);
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "rule-set",
      entityId: group.id,
      action: "restore",
      actor,
      before: auditShape(current.rules, { draftVersion: current.version }),
      after: auditShape(restored.rules, {
        draftVersion: restored.version,
        restoredFrom: version,
      }),
    });
    return restored;
  });
}

/** What the POS evaluates: the latest published version, parsed once. */
export interface PublishedRules {
  version: number;
  rules: Rule[];
}

/** The latest published rule set of the group, read and parsed (one statement); null: none. */
async function loadPublished(db: Db, group: Group): Promise<PublishedRules | null> {
  const row = await db.selectFrom("rule_set_versions").select(["version", "rules"])
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .orderBy("version", "desc").limit(1).executeTakeFirst();
  if (!row) return null;
  // Validated when saved; parsed again for the typed rules the engine takes. A failure here
  // means a stored set no longer fits the language: loud, not silently earning nothing.
  const parsed = parseRuleSet(row.rules);
  if (!parsed.success) {
    throw new Error(`published rule set ${row.version} of group ${group.id} does not parse`);
  }
  // Its engine is built here, once per cached version, and not on the sale that uses it first.
  engineFor(parsed.data);
  return { version: row.version, rules: parsed.data };
}

/**
 * The published rules of the group from this instance's programme cache: a warm call reads,
 * parses and builds nothing (the version's engine, rules/engine.ts, lives as long as it). A
 * publish (or any programme change) clears the cache, at once on this instance and through the
 * `le_programme` notification on the others.
 */
export function publishedRules(
  programmes: ProgrammeCache,
  db: Db,
  group: Group,
): Promise<PublishedRules | null> {
  return programmes.remember(`published-rules|${group.id}`, () => loadPublished(db, group));
}
