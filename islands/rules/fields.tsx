/**
 * The rule editor's form controls. Each edits the rule set at a path (the same path a
 * validation issue or a 422 names), shows the issues anchored there next to itself (tied by
 * aria-describedby) and writes through the editor context, so the JSON tab, validation and
 * the simulator all see one state.
 */
import type { ReadonlySignal, Signal } from "@preact/signals";
import { createContext } from "preact";
import { useContext, useRef } from "preact/hooks";
import {
  type Catalogue,
  formatMinor,
  getIn,
  type Json,
  parseMinor,
  type Path,
  pathKey,
  sameJson,
  type Vocabulary,
} from "./model.ts";

export interface Editor {
  catalogue: Catalogue;
  vocabulary: Vocabulary;
  /** Without `rules:manage`: everything shown, nothing changed. */
  readOnly: boolean;
  rules: Signal<Json[]>;
  /** Messages by anchor (see `anchorOf`): validation as they type, and the last 422. */
  issues: ReadonlySignal<Map<string, string[]>>;
  /** Minor digits of the currency money is typed in. */
  digits: ReadonlySignal<number>;
  currency: Signal<string>;
  /** Ids of the saved draft's and the published version's rules: a rename keeps them. */
  kept: ReadonlySignal<Set<string>>;
  set(path: Path, value: Json | undefined): void;
}

export const EditorContext = createContext<Editor | null>(null);

export function useEditor(): Editor {
  const editor = useContext(EditorContext);
  if (!editor) throw new Error("a rule editor control rendered outside RuleEditor");
  return editor;
}

/** The element id of the control at `path`. */
export const fieldId = (path: Path) => `re-${pathKey(path).replaceAll("/", "-")}`;

/** The issues at `path` and the attributes that tie them (and a hint) to the control. */
export function useIssues(path: Path, hint?: string) {
  const { issues } = useEditor();
  const id = fieldId(path);
  const messages = issues.value.get(pathKey(path)) ?? [];
  const describedBy = [messages.length ? `${id}-error` : "", hint ? `${id}-hint` : ""]
    .filter(Boolean).join(" ");
  return {
    id,
    messages,
    attrs: {
      "aria-invalid": messages.length ? "true" as const : undefined,
      "aria-describedby": describedBy || undefined,
    },
  };
}

/** The hint and the issues of the control `id`, under it. */
export function Notes({ id, hint, messages }: { id: string; hint?: string; messages: string[] }) {
  return (
    <>
      {hint && <span id={`${id}-hint`} class="hint">{hint}</span>}
      {messages.length > 0 && (
        <span id={`${id}-error`} class="field-error">{messages.join("; ")}</span>
      )}
    </>
  );
}

/**
 * The text a control shows for `value`: what the person typed while it still means that
 * value ("12." stays "12." though the document holds 12), else the value formatted (after
 * an edit elsewhere, e.g. in the JSON tab).
 */
function useTyped(
  value: Json | undefined,
  format: (v: Json | undefined) => string,
  parse: (
    text: string,
  ) => Json | undefined,
) {
  const typed = useRef<string | null>(null);
  const shown = typed.current !== null && sameJson(parse(typed.current), value)
    ? typed.current
    : format(value);
  return { shown, typed: (text: string) => typed.current = text };
}

interface FieldProps {
  path: Path;
  label: string;
  hint?: string;
}

export function TextField(
  { path, label, hint, upper, placeholder, suggestions, optional, onText }: FieldProps & {
    /** Codes are compared as stored: upper-case. */
    upper?: boolean;
    placeholder?: string;
    suggestions?: readonly string[];
    /** Emptied, the key leaves the document (the default, e.g. the placeholder, applies). */
    optional?: boolean;
    /** Instead of writing the text: what typing does (a new rule's id follows its name). */
    onText?: (text: string) => void;
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const value = getIn(ed.rules.value, path);
  return (
    <div class="re-field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        autocomplete="off"
        value={typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)}
        placeholder={placeholder}
        list={suggestions?.length ? `${id}-options` : undefined}
        onInput={(e) => {
          const text = upper ? e.currentTarget.value.toUpperCase() : e.currentTarget.value;
          if (onText) onText(text);
          else ed.set(path, optional && text === "" ? undefined : text);
        }}
        {...attrs}
      />
      {suggestions?.length
        ? (
          <datalist id={`${id}-options`}>
            {suggestions.map((s) => <option key={s} value={s} />)}
          </datalist>
        )
        : null}
      <Notes id={id} hint={hint} messages={messages} />
    </div>
  );
}

/** A number, or with `money` an amount in the currency's units kept as minor units. */
export function NumberField(
  { path, label, hint, money, optional }: FieldProps & { money?: boolean; optional?: boolean },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const digits = ed.digits.value;
  const value = getIn(ed.rules.value, path);
  // Text that is not a number is kept as text: validation then says what is wrong with it.
  const parse = (text: string): Json | undefined => {
    if (text.trim() === "") return optional ? undefined : "";
    const n = money ? parseMinor(text, digits) : Number(text);
    return n === null || !Number.isFinite(n) ? text : n;
  };
  const format = (v: Json | undefined) =>
    typeof v === "number" ? money ? formatMinor(v, digits) : String(v) : v == null ? "" : String(v);
  const { shown, typed } = useTyped(value, format, parse);
  return (
    <div class="re-field">
      <label for={id}>{money ? `${label} (${ed.currency.value})` : label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        autocomplete="off"
        class="number"
        value={shown}
        onInput={(e) => {
          typed(e.currentTarget.value);
          ed.set(path, parse(e.currentTarget.value));
        }}
        {...attrs}
      />
      <Notes id={id} hint={hint} messages={messages} />
    </div>
  );
}

export interface Choice {
  value: Json;
  label: string;
}

/** One of `options`; a value that is none of them (typed in JSON) is shown as it is. */
export function SelectField(
  { path, label, hint, options, onChoose, absent, placeholder }: FieldProps & {
    options: Choice[];
    /** Instead of writing the value: what choosing does (a new fact resets its condition). */
    onChoose?: (value: Json) => void;
    /** The option that stands for an absent (optional) key, which choosing it removes. */
    absent?: Json;
    /** Shown while nothing is chosen (null or absent): "Choose a store". */
    placeholder?: string;
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const value = getIn(ed.rules.value, path) ?? absent;
  const at = options.findIndex((o) => sameJson(o.value, value));
  return (
    <div class="re-field">
      <label for={id}>{label}</label>
      <select
        id={id}
        onChange={(e) => {
          const chosen = options[Number(e.currentTarget.value)]?.value;
          if (chosen === undefined) return;
          if (onChoose) onChoose(chosen);
          else ed.set(path, absent !== undefined && sameJson(chosen, absent) ? undefined : chosen);
        }}
        {...attrs}
      >
        {at < 0 && (
          <option value="-1" selected>
            {value == null || value === "" ? placeholder ?? "—" : String(value)}
          </option>
        )}
        {options.map((o, i) => (
          <option key={i} value={String(i)} selected={i === at}>{o.label}</option>
        ))}
      </select>
      <Notes id={id} hint={hint} messages={messages} />
    </div>
  );
}

/** A native time or date picker writing its text (HH:MM, YYYY-MM-DD). */
export function PickerField({ path, label, hint, type }: FieldProps & { type: "time" | "date" }) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const value = getIn(ed.rules.value, path);
  return (
    <div class="re-field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={typeof value === "string" ? value : ""}
        onInput={(e) => ed.set(path, e.currentTarget.value)}
        {...attrs}
      />
      <Notes id={id} hint={hint} messages={messages} />
    </div>
  );
}

export function CheckboxField(
  { path, label, hint, optional }: FieldProps & { optional?: boolean },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const value = getIn(ed.rules.value, path);
  return (
    <div class="re-field">
      <label class="check">
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          onChange={(e) =>
            ed.set(path, e.currentTarget.checked ? true : optional ? undefined : false)}
          {...attrs}
        />
        {label}
      </label>
      <Notes id={id} hint={hint} messages={messages} />
    </div>
  );
}

/** Several of `options`: the list at `path`. */
export function CheckList(
  { path, label, hint, options, optional }: FieldProps & {
    options: Choice[];
    /** An empty choice leaves the document (an optional list), rather than `[]`. */
    optional?: boolean;
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const raw = getIn(ed.rules.value, path);
  const list = Array.isArray(raw) ? raw : [];
  const toggle = (value: Json, on: boolean) => {
    const next = on
      ? options.filter((o) => o.value === value || list.some((v) => sameJson(v, o.value)))
        .map((o) => o.value)
      : list.filter((v) => !sameJson(v, value));
    ed.set(path, next.length === 0 && optional ? undefined : next);
  };
  return (
    <fieldset id={id} class="re-field re-checks" {...attrs}>
      <legend>{label}</legend>
      {options.length === 0 && <span class="muted">none to choose from</span>}
      {options.map((o, i) => (
        <label class="check" key={i}>
          <input
            type="checkbox"
            checked={list.some((v) => sameJson(v, o.value))}
            onChange={(e) => toggle(o.value, e.currentTarget.checked)}
          />
          {o.label}
        </label>
      ))}
      <Notes id={id} hint={hint} messages={messages} />
    </fieldset>
  );
}

/**
 * A list of codes (or numbers, times, dates) typed one at a time: each shown with a button
 * that removes it; Enter or Add appends what is typed (commas separate several).
 */
export function CodeList(
  { path, label, hint, suggestions, upper, parse, format, optional }: FieldProps & {
    suggestions?: readonly string[];
    upper?: boolean;
    parse?: (text: string) => Json;
    format?: (value: Json) => string;
    optional?: boolean;
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, hint);
  const input = useRef<HTMLInputElement>(null);
  const raw = getIn(ed.rules.value, path);
  const list = Array.isArray(raw) ? raw : [];
  const show = format ?? ((v: Json) => typeof v === "string" ? v : JSON.stringify(v));
  const add = () => {
    const el = input.current;
    if (!el) return;
    const items = el.value.split(",").map((s) => upper ? s.trim().toUpperCase() : s.trim())
      .filter(Boolean).map((s) => parse ? parse(s) : s);
    if (!items.length) return;
    ed.set(path, [...list, ...items]);
    el.value = "";
  };
  return (
    <fieldset id={id} class="re-field re-codes" {...attrs}>
      <legend>{label}</legend>
      {list.length > 0 && (
        <ul class="chips">
          {list.map((v, i) => (
            <li key={i} class="chip">
              {show(v)}
              <button
                type="button"
                class="link"
                aria-label={`Remove ${show(v)} from ${label}`}
                onClick={() => {
                  const next = list.filter((_, j) => j !== i);
                  ed.set(path, next.length === 0 && optional ? undefined : next);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {!ed.readOnly && (
        <span class="copy-row">
          <input
            ref={input}
            type="text"
            autocomplete="off"
            aria-label={`Add to ${label}`}
            list={suggestions?.length ? `${id}-options` : undefined}
            onKeyDown={(e) => {
              if (e.key !== "Enter") return;
              e.preventDefault();
              add();
            }}
          />
          <button type="button" class="secondary small" onClick={add}>Add</button>
        </span>
      )}
      {suggestions?.length
        ? (
          <datalist id={`${id}-options`}>
            {suggestions.map((s) => <option key={s} value={s} />)}
          </datalist>
        )
        : null}
      <Notes id={id} hint={hint} messages={messages} />
    </fieldset>
  );
}
