import type { auditJson } from "../../audit/audit_json.ts";
import { formatMoney } from "../../money/amount.ts";
import { when } from "../../web/format.ts";
import { formatPoints } from "../customers/format.ts";
import { actionPhrase, entityHref, entityName, fieldSpec, type ValueKind } from "./fields.ts";

export type AuditEntryJson = ReturnType<typeof auditJson>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * One value as people read it; `currency` is the entry's, for money fields, `timeZone` the
 * clock its times are read on.
 */
export function formatValue(
  v: unknown,
  kind: ValueKind,
  timeZone: string,
  currency?: string,
): string {
  if (v === null || v === undefined || v === "") return "none";
  if (typeof v === "number") {
    if (kind === "money") {
      return currency ? formatMoney(v, currency) : `${v} (minor units)`;
    }
    if (kind === "points") return `${formatPoints(v)} points`;
    if (kind === "points-decimal") return `${formatPoints(Math.round(v * 100))} points`;
  }
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (kind === "time" && typeof v === "string") return when(v, timeZone);
  if (Array.isArray(v)) {
    return v.length ? v.map((x) => formatValue(x, kind, timeZone, currency)).join(", ") : "none";
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The entry's currency, for its money fields: a card's, a series'. */
function entryCurrency(e: AuditEntryJson): string | undefined {
  for (const side of [e.after, e.before]) {
    if (isObj(side) && typeof side.currency === "string" && /^[A-Z]{3}$/.test(side.currency)) {
      return side.currency;
    }
  }
  return undefined;
}

/** A rule's name by id, from the entry's rule set (after, else before). */
const ruleNamer = (e: AuditEntryJson) => (id: string) => {
  for (const side of [e.after, e.before]) {
    const rule = isObj(side) && isObj(side.rules) ? side.rules[id] : undefined;
    if (isObj(rule) && typeof rule.name === "string") return rule.name;
  }
  return undefined;
};

/** Each changed field: its label, and the value before → after (only one side when created). */
export function Changes({ entry, timeZone }: { entry: AuditEntryJson; timeZone: string }) {
  if (!entry.diff.length) return <span class="muted">no field changed</span>;
  const currency = entryCurrency(entry);
  const named = ruleNamer(entry);
  const created = entry.before === null;
  const deleted = entry.after === null;
  return (
    <ul class="diff">
      {entry.diff.filter((d) => d.path !== "currency" || !currency).map((d) => {
        const spec = fieldSpec(entry.entity, d.path, named);
        const kind = spec.kind ?? "text";
        const before = formatValue(d.before, kind, timeZone, currency);
        const after = formatValue(d.after, kind, timeZone, currency);
        return (
          <li>
            <span class="field">{spec.label}</span>: {created
              ? <span class="after">{after}</span>
              : deleted
              ? <span class="before">{before}</span>
              : (
                <>
                  <span class="before">{before}</span> → <span class="after">{after}</span>
                </>
              )}
          </li>
        );
      })}
    </ul>
  );
}

/** What changed: the entity's kind and name (linked to its page), and what was done. */
export function What({ entry, name }: { entry: AuditEntryJson; name?: string }) {
  const href = entityHref(entry);
  const label = entry.label ?? name ?? entry.entityId;
  return (
    <>
      {entityName(entry.entity)} {href ? <a href={href}>{label}</a> : <strong>{label}</strong>}{" "}
      {actionPhrase(entry.action)}
      <br />
      <a
        class="muted"
        href={`/console/audit?entity=${encodeURIComponent(entry.entity)}&entityId=${
          encodeURIComponent(entry.entityId)
        }`}
        title="Only this one's history"
      >
        its history
      </a>
    </>
  );
}

/** Who: a staff member's email, or (not signed in) the email typed or the command run. */
export function Who({ entry }: { entry: AuditEntryJson }) {
  if (entry.actor.id) return <>{entry.actor.label}</>;
  return (
    <>
      {entry.actor.label} <span class="muted">(not signed in)</span>
    </>
  );
}
