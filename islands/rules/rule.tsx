/**
 * One rule of the list: a header (on/off, name, kind, priority, problems, reorder, duplicate,
 * delete) and, when open, its form: name, id, priority, reference code, rounding override,
 * conditions and what it awards.
 */
import type { Signal } from "@preact/signals";
import { ConditionGroup, focusLater } from "./conditions.tsx";
import {
  fieldId,
  Notes,
  NumberField,
  SelectField,
  TextField,
  useEditor,
  useIssues,
} from "./fields.tsx";
import { type Schema, SchemaFields } from "./params.tsx";
import {
  duplicateRule,
  eventParams,
  getIn,
  groupKind,
  isObj,
  type Json,
  type Obj,
  renameRule,
  stackingMultipliers,
} from "./model.ts";

/** Event types whose points the schema does not let a rule round or mark on its own. */
const NO_ROUNDING = new Set(["multiplier", "staff-discount"]);
const NO_REFERENCE = new Set(["staff-discount"]);

/** The id of the button that opens rule `index`, where the focus lands after a move. */
const openerOf = (index: number) => `rule-${index}-open`;

export function RuleCard({ index, open }: { index: number; open: Signal<number | null> }) {
  const ed = useEditor();
  const rules = ed.rules.value;
  const rule = rules[index];
  const doc: Obj = isObj(rule) ? rule : {};
  const name = typeof doc.name === "string" && doc.name ? doc.name : `Rule ${index + 1}`;
  const type = isObj(doc.event) ? doc.event.type : undefined;
  const eventLabel = ed.catalogue.events.find((e) => e.type === type)?.label ?? "Unknown kind";
  const prefix = `${index}/`;
  const problems = [...ed.issues.value].filter(([k]) => k === String(index) || k.startsWith(prefix))
    .reduce((n, [, messages]) => n + messages.length, 0);
  const isOpen = open.value === index;
  const bodyId = `rule-${index}-body`;
  const own = useIssues([index]);

  /** Replaces the list; the open rule and the focus follow the rule that moved. */
  function reorder(next: Json[], focus: number, openAt: number | null) {
    ed.rules.value = next;
    open.value = openAt;
    focusLater(openerOf(focus));
  }
  const move = (by: -1 | 1) => {
    const to = index + by;
    if (to < 0 || to >= rules.length) return;
    const next = [...rules];
    [next[index], next[to]] = [next[to], next[index]];
    // Higher priority runs first: a rule moved above another gets at least its priority.
    const [a, b] = [next[Math.min(index, to)], next[Math.max(index, to)]];
    if (isObj(a) && isObj(b) && typeof a.priority === "number" && typeof b.priority === "number") {
      if (a.priority < b.priority) {
        next[Math.min(index, to)] = { ...a, priority: b.priority };
        next[Math.max(index, to)] = { ...b, priority: a.priority };
      }
    }
    const openAt = open.value === index ? to : open.value === to ? index : open.value;
    reorder(next, to, openAt);
  };

  return (
    <li class={`rule${doc.enabled === false ? " disabled" : ""}`}>
      <div class="node-row">
        {!ed.readOnly && (
          <input
            type="checkbox"
            checked={doc.enabled === true}
            aria-label={`${name} is on`}
            onChange={(e) => ed.set([index, "enabled"], e.currentTarget.checked)}
          />
        )}
        <button
          type="button"
          id={openerOf(index)}
          class="link name"
          aria-expanded={isOpen}
          aria-controls={bodyId}
          onClick={() => open.value = isOpen ? null : index}
        >
          {name}
        </button>
        <span class="badge">{eventLabel}</span>
        {doc.enabled === false && <span class="badge disabled">off</span>}
        <span class="muted">priority {String(doc.priority ?? "—")}</span>
        {problems > 0 && (
          <span class="badge warn">{problems === 1 ? "1 problem" : `${problems} problems`}</span>
        )}
        {!ed.readOnly && (
          <span class="actions">
            <button
              type="button"
              class="secondary small"
              aria-label={`Move ${name} up`}
              disabled={index === 0}
              onClick={() => move(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              class="secondary small"
              aria-label={`Move ${name} down`}
              disabled={index === rules.length - 1}
              onClick={() => move(1)}
            >
              ↓
            </button>
            <button
              type="button"
              class="secondary small"
              aria-label={`Duplicate ${name}`}
              onClick={() => {
                const next = [...rules];
                next.splice(index + 1, 0, duplicateRule(rules, index));
                reorder(next, index + 1, index + 1);
              }}
            >
              Duplicate
            </button>
            <button
              type="button"
              class="secondary small"
              aria-label={`Delete ${name}`}
              onClick={() => {
                const at = open.value;
                ed.rules.value = rules.filter((_, i) => i !== index);
                open.value = at === index ? null : at !== null && at > index ? at - 1 : at;
                focusLater(index > 0 ? openerOf(index - 1) : "rule-add-type");
              }}
            >
              Delete
            </button>
          </span>
        )}
      </div>
      <Notes id={own.id} messages={own.messages} />
      <StackNotes index={index} />
      {isOpen && (
        <div id={bodyId} class="rule-body">
          <fieldset class="bare" disabled={ed.readOnly}>
            {isObj(rule)
              ? <RuleFields index={index} type={type} />
              : <p class="muted">This rule is not an object: correct it in the JSON tab.</p>}
          </fieldset>
        </div>
      )}
    </li>
  );
}

/** The other multipliers this one would stack with on one basket, with what they make. */
function StackNotes({ index }: { index: number }) {
  const ed = useEditor();
  const rules = ed.rules.value;
  const mine = stackingMultipliers(rules).filter((s) => s.a === index || s.b === index);
  if (mine.length === 0) return null;
  const nameAt = (i: number) => {
    const r = rules[i];
    return isObj(r) && typeof r.name === "string" && r.name ? r.name : `Rule ${i + 1}`;
  };
  return (
    <ul class="stack-notes" aria-label={`${nameAt(index)} stacks`}>
      {mine.map((s) => (
        <li key={`${s.a}-${s.b}`} class="hint warn">
          Stacks with {nameAt(s.a === index ? s.b : s.a)} where both fire on one basket:{" "}
          {s.text}, as their extras add.
        </li>
      ))}
    </ul>
  );
}

function RuleFields({ index, type }: { index: number; type: Json | undefined }) {
  const ed = useEditor();
  const { catalogue, vocabulary } = ed;
  const conditions = getIn(ed.rules.value, [index, "conditions"]);
  const cond = useIssues([index, "conditions"]);
  return (
    <>
      <div class="re-row">
        <TextField
          path={[index, "name"]}
          label="Name"
          onText={(text) => ed.rules.value = renameRule(ed.rules.value, index, text, ed.kept.value)}
        />
        <TextField
          path={[index, "id"]}
          label="Rule id"
          hint={ed.kept.value.has(String(getIn(ed.rules.value, [index, "id"])))
            ? "Saved under this id: a multiplier and the ledger name the rule by it"
            : "Follows the name until you change it; lower-case letters, digits and -"}
        />
        <NumberField path={[index, "priority"]} label="Priority" hint="1 to 100: higher first" />
      </div>
      <div class="re-row">
        {!NO_REFERENCE.has(type as string) && (
          <TextField
            path={[index, "reference"]}
            label="Reference code"
            upper
            optional
            placeholder={catalogue.defaultReference}
            hint={vocabulary.keyLineTotalReference
              ? `Marks its points in the ledger; ${vocabulary.keyLineTotalReference} counts ` +
                "for the key line total"
              : "Marks its points in the ledger"}
          />
        )}
        {!NO_ROUNDING.has(type as string) && (
          <SelectField
            path={[index, "rounding"]}
            label="Rounding"
            absent=""
            options={[
              { value: "", label: "The programme's rounding rule" },
              ...catalogue.roundings.map((r) => ({ value: r.value, label: r.label })),
            ]}
          />
        )}
      </div>
      <h4>When</h4>
      {groupKind(conditions)
        ? <ConditionGroup path={[index, "conditions"]} label="Conditions" number="" />
        : <Notes id={cond.id} messages={cond.messages} />}
      <h4>It awards</h4>
      <EventFields index={index} />
    </>
  );
}

/** The event: its kind, and its params from the catalogue's schema of that kind. */
function EventFields({ index }: { index: number }) {
  const ed = useEditor();
  const event = getIn(ed.rules.value, [index, "event"]);
  const type = isObj(event) ? event.type : undefined;
  const info = ed.catalogue.events.find((e) => e.type === type);
  const params = useIssues([index, "event", "params"]);
  const own = useIssues([index, "event"]);
  return (
    <div class="re-event">
      <div class="re-row">
        <SelectField
          path={[index, "event", "type"]}
          label="Kind"
          hint={info?.help}
          options={ed.catalogue.events.map((e) => ({ value: e.type, label: e.label }))}
          onChoose={(chosen) => {
            const rule = { ...(ed.rules.value[index] as Obj) };
            rule.event = { type: chosen, params: eventParams(chosen as string) };
            if (NO_ROUNDING.has(chosen as string)) delete rule.rounding;
            if (NO_REFERENCE.has(chosen as string)) delete rule.reference;
            ed.set([index], rule);
            focusLater(fieldId([index, "event", "type"]));
          }}
        />
        {info && <SchemaFields schema={info.params as Schema} path={[index, "event", "params"]} />}
      </div>
      <Notes id={params.id} messages={params.messages} />
      <Notes id={own.id} messages={own.messages} />
    </div>
  );
}
