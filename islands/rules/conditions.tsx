/**
 * A rule's conditions: all/any/not groups of condition rows, nested. A row picks a fact from
 * the catalogue by its label, only the operators validation accepts for it, and a value with
 * a control of the fact's kind (weekdays, stores from the registry, card series, times…).
 */
import {
  CheckList,
  type Choice,
  CodeList,
  fieldId,
  Notes,
  NumberField,
  PickerField,
  SelectField,
  TextField,
  useEditor,
  useIssues,
} from "./fields.tsx";
import { type Schema, SchemaFields } from "./params.tsx";
import {
  convertGroup,
  type FactInfo,
  formatMinor,
  getIn,
  groupChildren,
  type GroupKind,
  groupKind,
  isObj,
  type Json,
  newLeaf,
  type Obj,
  parseMinor,
  type Path,
  removeAt,
  unlistedStoresText,
  valueForOperator,
} from "./model.ts";

const KIND_LABELS: Record<GroupKind, string> = {
  all: "All of these hold",
  any: "Any of these holds",
  not: "This does not hold",
};

/** Moves the focus once the render that shows `id` is done. */
export const focusLater = (id: string) => setTimeout(() => document.getElementById(id)?.focus());

/** A group of conditions at `path`; `label` names it ("Conditions", "Group 2"). */
export function ConditionGroup(
  { path, label, number, onRemove }: {
    path: Path;
    label: string;
    /** The group's place among its parent's conditions ("2."), numbering its rows. */
    number: string;
    onRemove?: () => void;
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path);
  const node = getIn(ed.rules.value, path) as Obj;
  const kind = groupKind(node)!;
  const children = groupChildren(node, kind);
  const childPath = (i: number): Path => kind === "not" ? [...path, "not"] : [...path, kind, i];
  const member = ed.catalogue.facts.find((f) => f.name === "member") ?? ed.catalogue.facts[0];

  function add(condition: Obj) {
    const list = [...children, condition];
    ed.set([...path, kind], list);
    focusLater(fieldId([...childPath(list.length - 1), "fact"]));
  }

  return (
    <fieldset id={id} class="cond-group" aria-label={label} {...attrs}>
      <div class="cond-head">
        <div class="re-field">
          <label for={`${id}-kind`}>{onRemove ? `${label}: match` : "Match"}</label>
          <select
            id={`${id}-kind`}
            onChange={(e) => {
              const to = e.currentTarget.value as GroupKind;
              if (to !== kind) ed.set(path, convertGroup(node, kind, to));
            }}
          >
            {(["all", "any", "not"] as const).map((k) => (
              <option key={k} value={k} selected={k === kind}>{KIND_LABELS[k]}</option>
            ))}
          </select>
        </div>
        {onRemove && !ed.readOnly && (
          <button type="button" class="secondary small" onClick={onRemove}>
            Remove {label.toLowerCase()}
          </button>
        )}
      </div>
      <Notes id={id} messages={messages} />
      <ol class="cond-list">
        {children.map((child, i) => {
          const at = childPath(i);
          const n = `${number}${i + 1}`;
          const remove = kind === "not"
            ? undefined
            : () => ed.rules.value = removeAt(ed.rules.value, [...path, kind], i) as Json[];
          return (
            <li key={i}>
              {groupKind(child)
                ? (
                  <ConditionGroup
                    path={at}
                    label={`Group ${n}`}
                    number={`${n}.`}
                    onRemove={remove}
                  />
                )
                : <ConditionRow path={at} label={`Condition ${n}`} onRemove={remove} />}
            </li>
          );
        })}
      </ol>
      {kind !== "not" && !ed.readOnly && (
        <div class="toolbar">
          <button
            type="button"
            class="secondary small"
            onClick={() => add(newLeaf(member, ed.vocabulary))}
          >
            Add condition{onRemove ? ` to ${label.toLowerCase()}` : ""}
          </button>
          <button
            type="button"
            class="secondary small"
            onClick={() => add({ all: [newLeaf(member, ed.vocabulary)] })}
          >
            Add group{onRemove ? ` to ${label.toLowerCase()}` : ""}
          </button>
        </div>
      )}
    </fieldset>
  );
}

/** One condition: fact, its params, operator, value. */
function ConditionRow(
  { path, label, onRemove }: { path: Path; label: string; onRemove?: () => void },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path);
  const params = useIssues([...path, "params"]);
  const leaf = getIn(ed.rules.value, path);
  const fact = isObj(leaf) ? ed.catalogue.facts.find((f) => f.name === leaf.fact) : undefined;
  const operators = ed.catalogue.operators;
  const list = operators.find((o) => isObj(leaf) && o.name === leaf.operator)?.list ?? false;
  return (
    <div id={id} role="group" aria-label={label} class="cond-leaf" {...attrs}>
      <div class="re-row">
        {isObj(leaf) && (
          <SelectField
            path={[...path, "fact"]}
            label="Fact"
            options={ed.catalogue.facts.map((f) => ({ value: f.name, label: f.label }))}
            onChoose={(name) => {
              const chosen = ed.catalogue.facts.find((f) => f.name === name)!;
              ed.set(path, newLeaf(chosen, ed.vocabulary));
            }}
            hint={fact?.help}
          />
        )}
        {fact?.params && <SchemaFields schema={fact.params as Schema} path={[...path, "params"]} />}
        {fact && (
          <SelectField
            path={[...path, "operator"]}
            label="Operator"
            options={fact.operators.map((name) => ({
              value: name,
              label: operators.find((o) => o.name === name)?.label ?? name,
            }))}
            onChoose={(op) => {
              const isList = operators.find((o) => o.name === op)?.list ?? false;
              const value = valueForOperator((leaf as Obj).value, isList);
              ed.set(path, { ...(leaf as Obj), operator: op, value });
            }}
          />
        )}
        {fact && <ValueField path={[...path, "value"]} fact={fact} list={list} />}
        {onRemove && !ed.readOnly && (
          <button
            type="button"
            class="secondary small remove"
            aria-label={`Remove ${label.toLowerCase()}`}
            onClick={onRemove}
          >
            Remove
          </button>
        )}
      </div>
      <Notes id={params.id} messages={params.messages} />
      <Notes id={id} messages={messages} />
    </div>
  );
}

const YES_NO: Choice[] = [{ value: true, label: "yes" }, { value: false, label: "no" }];

/** The value of a condition, with a control of its fact's kind; a list for `in`/`notIn`. */
function ValueField({ path, fact, list }: { path: Path; fact: FactInfo; list: boolean }) {
  const ed = useEditor();
  const { catalogue, vocabulary } = ed;
  const digits = ed.digits.value;
  const label = list ? "Values" : "Value";
  const choose = (options: Choice[], more: { hint?: string; placeholder?: string } = {}) =>
    list
      ? <CheckList path={path} label={label} options={options} hint={more.hint} />
      : <SelectField path={path} label={label} options={options} {...more} />;
  switch (fact.kind) {
    case "boolean":
      return choose(YES_NO);
    case "weekday":
      return choose(catalogue.weekdays);
    case "channel":
      return choose(catalogue.channels.map((c) => ({ value: c, label: c })));
    case "time":
    case "date":
      return list
        ? (
          <CodeList
            path={path}
            label={label}
            hint={fact.kind === "time" ? "HH:MM" : "YYYY-MM-DD"}
          />
        )
        : <PickerField path={path} label={label} type={fact.kind} />;
    case "money":
      return list
        ? (
          <CodeList
            path={path}
            label={`${label} (${ed.currency.value})`}
            parse={(t) => parseMinor(t, digits) ?? t}
            format={(v) => typeof v === "number" ? formatMinor(v, digits) : String(v)}
          />
        )
        : <NumberField path={path} label={label} money />;
    case "integer":
      if (fact.name === "storeNumber" && vocabulary.stores.length) {
        return choose(
          vocabulary.stores.map((s) => ({ value: s.number, label: `${s.number} · ${s.name}` })),
          { placeholder: "Choose a store", hint: unlistedStoresText(vocabulary) ?? undefined },
        );
      }
      if (fact.name === "storeNumber") {
        const why = unlistedStoresText(vocabulary);
        const hint = `The programme has no store yet${why ? `. ${why}` : ""}`;
        return list
          ? <CodeList path={path} label={label} hint={hint} parse={(t) => Number(t) || t} />
          : <NumberField path={path} label={label} hint={hint} />;
      }
      return list
        ? (
          <CodeList
            path={path}
            label={label}
            parse={(t) => Number.isFinite(Number(t)) ? Number(t) : t}
          />
        )
        : <NumberField path={path} label={label} />;
    default:
      if (fact.name === "customerCategory") {
        const index = getIn(ed.rules.value, [...path.slice(0, -1), "params", "index"]);
        const codes = typeof index === "number" ? vocabulary.categoryCodes[index - 1] ?? [] : [];
        if (codes.length) {
          return choose(codes.map((c) => ({ value: c, label: c })), {
            placeholder: "Choose a code",
            hint: "The codes the programme's customers hold",
          });
        }
        const hint = "No customer holds a code in this category yet: type the code";
        return list
          ? <CodeList path={path} label={label} hint={hint} upper />
          : <TextField path={path} label={label} hint={hint} upper />;
      }
      if (fact.name === "cardSeries" && vocabulary.cardSeries.length) {
        return choose(vocabulary.cardSeries.map((s) => ({
          value: s.prefix,
          label: `${s.prefix} · ${s.name}`,
        })));
      }
      return list
        ? <CodeList path={path} label={label} />
        : <TextField path={path} label={label} />;
  }
}
