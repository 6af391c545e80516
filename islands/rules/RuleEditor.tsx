import { useComputed, useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { minorUnitDigits } from "../../money/currency.ts";
import { parseRuleSet } from "../../rules/schema.ts";
import { api, ApiError, describeError, type FieldError } from "../api.ts";
import { focusLater } from "./conditions.tsx";
import { type Editor, EditorContext, fieldId, useEditor } from "./fields.tsx";
import {
  anchorOf,
  type Catalogue,
  type DraftJson,
  isObj,
  type Json,
  newRule,
  sameJson,
  setIn,
  type SummaryJson,
  type Vocabulary,
} from "./model.ts";
import { ImpactPanel } from "./impact.tsx";
import { RuleCard } from "./rule.tsx";
import { Simulator } from "./simulator.tsx";
import { type Published, type RuleSetState, Versions } from "./versions.tsx";
import { mostCommonZone } from "../../calendar/zones.ts";

export interface RuleEditorProps {
  groupId: string;
  groupName: string;
  catalogue: Catalogue;
  vocabulary: Vocabulary;
  draft: DraftJson;
  published: Published | null;
  versions: { items: SummaryJson[]; nextCursor: string | null };
  /** `rules:manage`: save, publish, restore. Without it the editor only shows and simulates. */
  canManage: boolean;
}

/** The currency money is typed in until someone picks another in the simulator. */
const DEFAULT_CURRENCY = "EUR";

const digitsOf = (currency: string) => {
  try {
    return minorUnitDigits(currency);
  } catch {
    return 2; // not a currency (yet): the simulator's field says so when it is sent
  }
};

/**
 * The earning rules of one merchant group: the draft edited as a form (or as JSON),
 * validated as it is typed with the same schema the server uses, saved with optimistic
 * concurrency, simulated on a typed basket, published behind a diff, versions restored.
 */
export default function RuleEditor(props: RuleEditorProps) {
  const { groupId, catalogue, vocabulary, canManage } = props;
  const rules = useSignal<Json[]>(props.draft.rules);
  const saved = useSignal(props.draft);
  const published = useSignal(props.published);
  const versions = useSignal(props.versions.items);
  const nextCursor = useSignal(props.versions.nextCursor);
  /** The server's errors, with the rules they were about: an edit makes them stale. */
  const serverErrors = useSignal<{ rules: Json[]; errors: FieldError[] } | null>(null);
  const open = useSignal<number | null>(null);
  const tab = useSignal<"form" | "json">("form");
  const notice = useSignal("");
  const conflict = useSignal(false);
  const alert = useSignal<string | null>(null);
  const busy = useSignal(false);
  const currency = useSignal(DEFAULT_CURRENCY);
  const digits = useComputed(() => digitsOf(currency.value));
  const addType = useSignal<string>(catalogue.events[0]?.type ?? "");
  const kept = useComputed(() =>
    new Set(
      [...saved.value.rules, ...published.value?.rules ?? []].flatMap((r) =>
        isObj(r) && typeof r.id === "string" ? [r.id] : []
      ),
    )
  );

  /** Validation as they type, then what the server said of the last save or simulation. */
  const issues = useComputed(() => {
    const map = new Map<string, string[]>();
    const add = (anchor: string, message: string) => {
      const list = map.get(anchor) ?? [];
      if (!list.includes(message)) map.set(anchor, [...list, message]);
    };
    const parsed = parseRuleSet(rules.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        add(anchorOf(issue.path as (string | number)[], rules.value), issue.message);
      }
    }
    const server = serverErrors.value;
    for (const fe of server?.rules === rules.value ? server.errors : []) {
      const path = fe.field.split("/").slice(1).map((s) => /^\d+$/.test(s) ? Number(s) : s);
      add(anchorOf(path, rules.value), fe.message);
    }
    return map;
  });
  const problems = [...issues.value.values()].reduce((n, m) => n + m.length, 0);
  const dirty = !sameJson(rules.value, saved.value.rules);

  const editor = useMemo<Editor>(() => ({
    catalogue,
    vocabulary,
    readOnly: !canManage,
    rules,
    issues,
    digits,
    currency,
    kept,
    set(path, value) {
      rules.value = setIn(rules.value, path, value) as Json[];
    },
  }), []);

  // Leaving the page with unsaved rules asks first: the draft lives in this tab until saved.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (!sameJson(rules.peek(), saved.peek().rules)) e.preventDefault();
    };
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, []);

  const announce = (message: string) => notice.value = message;
  const state: RuleSetState = {
    groupId,
    rules,
    saved,
    published,
    versions,
    nextCursor,
    announce,
    stale: () => conflict.value = true,
    canManage,
    timeZone: mostCommonZone(vocabulary.stores.map((s) => s.timezone)) ?? "UTC",
  };

  /** Opens the rule of the first issue and moves the focus to its field. */
  function showFirstIssue() {
    const first = [...issues.value.keys()][0];
    if (first === undefined) return;
    const index = Number(first.split("/")[0]);
    if (Number.isInteger(index)) open.value = index;
    tab.value = "form";
    focusLater(fieldId(first.split("/").map((s) => /^\d+$/.test(s) ? Number(s) : s)));
  }

  async function save() {
    if (busy.value) return;
    alert.value = null;
    if (problems > 0) {
      alert.value = `The draft has ${problems === 1 ? "a problem" : `${problems} problems`}: ` +
        "fix them before saving.";
      showFirstIssue();
      return;
    }
    busy.value = true;
    try {
      const sentRules = rules.value;
      const draft = await api<DraftJson>("PUT", `/merchant-groups/${groupId}/rules/draft`, {
        version: saved.value.version,
        rules: sentRules,
      });
      saved.value = draft;
      // Keep what was typed since the request left; the saved rules are the same as sent.
      if (rules.value === sentRules) rules.value = draft.rules;
      announce(`Draft saved: version ${draft.version}.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) conflict.value = true;
      else if (err instanceof ApiError && err.errors.some((e) => e.field.startsWith("rules/"))) {
        serverErrors.value = { rules: rules.value, errors: err.errors };
        alert.value = "The server found problems in the rules: they are shown by each field.";
        setTimeout(showFirstIssue);
      } else alert.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }

  async function loadCurrent() {
    try {
      const set = await api<{ draft: DraftJson; published: SummaryJson | null }>(
        "GET",
        `/merchant-groups/${groupId}/rules`,
      );
      saved.value = set.draft;
      rules.value = set.draft.rules;
      if (set.published && set.published.version !== published.value?.version) {
        const [live, page] = await Promise.all([
          api<Published>(
            "GET",
            `/merchant-groups/${groupId}/rules/versions/${set.published.version}`,
          ),
          api<{ items: SummaryJson[]; nextCursor: string | null }>(
            "GET",
            `/merchant-groups/${groupId}/rules/versions`,
          ),
        ]);
        published.value = live;
        versions.value = page.items;
        nextCursor.value = page.nextCursor;
      }
      conflict.value = false;
      open.value = null;
      announce(`Loaded draft version ${set.draft.version}.`);
    } catch (err) {
      alert.value = describeError(err);
    }
  }

  function addRule() {
    const event = catalogue.events.find((e) => e.type === addType.value);
    if (!event) return;
    rules.value = [...rules.value, newRule(rules.value, event)];
    open.value = rules.value.length - 1;
    focusLater(fieldId([rules.value.length - 1, "name"]));
  }

  const current = published.value;
  const setLevel = issues.value.get("") ?? [];

  return (
    <EditorContext.Provider value={editor}>
      <div class="rule-editor">
        <p role="status" class="sr-only">{notice}</p>
        <div class="rule-workspace">
          <div>
            <section class="card" aria-labelledby="rules-title">
              <div class="panel-head">
                <h2 id="rules-title">Rules of {props.groupName}</h2>
                <div class="segmented" role="group" aria-label="Edit as">
                  {(["form", "json"] as const).map((t) => (
                    <button
                      type="button"
                      key={t}
                      aria-pressed={tab.value === t}
                      onClick={() => tab.value = t}
                    >
                      {t === "form" ? "Form" : "JSON"}
                    </button>
                  ))}
                </div>
              </div>
              <p class="muted" data-testid="draft-status">
                Draft version {saved.value.version}
                {saved.value.updatedBy ? `, saved by ${saved.value.updatedBy}` : ""}
                {dirty ? " · unsaved changes" : ""}
                {" · "}
                {current
                  ? current.draftVersion === saved.value.version && !dirty
                    ? `published as version ${current.version}`
                    : `version ${current.version} is live`
                  : "nothing published yet"}
                {!canManage && " · read only"}
              </p>
              {conflict.value && (
                <div role="alert" class="flash error">
                  Someone else saved or published the draft since you loaded it.{" "}
                  <button type="button" class="secondary small" onClick={loadCurrent}>
                    Load the current draft
                  </button>{" "}
                  <span class="hint">(your changes here are replaced)</span>
                </div>
              )}
              {alert.value && <p role="alert" class="flash error">{alert.value}</p>}
              {setLevel.length > 0 && <p class="field-error">{setLevel.join("; ")}</p>}
              {tab.value === "form"
                ? (
                  <>
                    {rules.value.length === 0 && (
                      <p class="muted">No rule yet{canManage ? ": add one below." : "."}</p>
                    )}
                    <ol class="rule-list">
                      {rules.value.map((_, i) => <RuleCard key={i} index={i} open={open} />)}
                    </ol>
                    {canManage && (
                      <div class="row">
                        <label>
                          New rule of kind
                          <select
                            id="rule-add-type"
                            onChange={(e) => addType.value = e.currentTarget.value}
                          >
                            {catalogue.events.map((e) => (
                              <option
                                key={e.type}
                                value={e.type}
                                selected={e.type === addType.value}
                              >
                                {e.label}
                              </option>
                            ))}
                          </select>
                        </label>
                        <button type="button" class="secondary" onClick={addRule}>
                          Add rule
                        </button>
                      </div>
                    )}
                  </>
                )
                : <JsonTab readOnly={!canManage} />}
              {canManage && (
                <div class="form-buttons">
                  <button
                    type="button"
                    onClick={save}
                    aria-disabled={busy.value ? "true" : undefined}
                  >
                    {busy.value ? "Saving…" : "Save draft"}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    aria-disabled={dirty ? undefined : "true"}
                    onClick={() => {
                      if (!dirty) return;
                      rules.value = saved.value.rules;
                      announce("Changes discarded.");
                    }}
                  >
                    Discard changes
                  </button>
                  <span class="hint">
                    {problems > 0
                      ? `${problems === 1 ? "1 problem" : `${problems} problems`} to fix`
                      : "No problem found"}
                  </span>
                </div>
              )}
            </section>
            <Versions state={state} />
            <ImpactPanel groupId={groupId} draftVersion={saved.value.version} dirty={dirty} />
          </div>
          <Simulator
            groupId={groupId}
            problems={problems}
            onRuleErrors={(errors) => {
              serverErrors.value = { rules: rules.value, errors };
            }}
          />
        </div>
      </div>
    </EditorContext.Provider>
  );
}

/** JSON.parse, or undefined when the text is not JSON. */
function tryParse(text: string): Json | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The rules as JSON: a valid edit replaces the form's rules; a parse error is shown. */
function JsonTab({ readOnly }: { readOnly: boolean }) {
  const editor = useEditor();
  const typed = useRef("");
  const error = useSignal<string | null>(null);
  // What was typed stays as typed while it means the rules shown; else the rules win.
  const text = typed.current && sameJson(tryParse(typed.current), editor.rules.value)
    ? typed.current
    : JSON.stringify(editor.rules.value, null, 2);
  const problems = [...editor.issues.value].flatMap(([anchor, messages]) =>
    messages.map((m) => `${anchor || "rules"}: ${m}`)
  );
  return (
    <div class="json-tab">
      <label for="rules-json">Rules as JSON</label>
      <textarea
        id="rules-json"
        rows={24}
        spellcheck={false}
        readOnly={readOnly}
        value={error.value ? typed.current : text}
        aria-invalid={error.value ? "true" : undefined}
        aria-describedby={error.value ? "rules-json-hint rules-json-error" : "rules-json-hint"}
        onInput={(e) => {
          typed.current = e.currentTarget.value;
          let parsed: Json;
          try {
            parsed = JSON.parse(typed.current);
          } catch (err) {
            error.value = `Not JSON: ${(err as Error).message}`;
            return;
          }
          if (!Array.isArray(parsed)) {
            error.value = "The rules are a JSON array: [ {rule}, {rule}, … ]";
            return;
          }
          error.value = null;
          editor.rules.value = parsed;
        }}
      />
      <span id="rules-json-hint" class="hint">
        A valid array replaces the rules of the form at once; README, "Writing earning rules", says
        what a rule holds.
      </span>
      {error.value && <span id="rules-json-error" class="field-error">{error.value}</span>}
      {problems.length > 0 && (
        <ul class="field-error" aria-label="Problems">
          {problems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      )}
    </div>
  );
}
