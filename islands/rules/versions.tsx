/**
 * Publishing and versions: the rule-by-rule diff between the draft and the published
 * version, publish behind a confirmation that shows that diff, the list of published
 * versions, and restoring one into the draft (confirmed, with what it changes).
 */
import { type Signal, useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { api, ApiError, describeError } from "../api.ts";
import { focusLater } from "./conditions.tsx";
import { when } from "../../web/format.ts";
import {
  diffRules,
  type DraftJson,
  isObj,
  type Json,
  type RuleChange,
  sameJson,
  type SummaryJson,
} from "./model.ts";

export type Published = SummaryJson & { rules: Json[] };

/** The editor's saved state the versions panel reads and changes. */
export interface RuleSetState {
  groupId: string;
  rules: Signal<Json[]>;
  saved: Signal<DraftJson>;
  published: Signal<Published | null>;
  versions: Signal<SummaryJson[]>;
  nextCursor: Signal<string | null>;
  /** Tells screen readers (and everyone) what just happened. */
  announce(message: string): void;
  /** A 409: someone else changed the draft; the editor offers to load it. */
  stale(): void;
  canManage: boolean;
  /** The programme's clock, which publication times are read on. */
  timeZone: string;
}

/** A rule-by-rule list of changes. */
function DiffList({ changes, empty }: { changes: RuleChange[]; empty: string }) {
  if (changes.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="diff rule-diff">
      {changes.map((c) => (
        <li key={`${c.change}-${c.id}`}>
          <span class={`badge ${c.change}`}>{c.change}</span> {c.name} <code>{c.id}</code>
          {c.fields.length > 0 && <span class="muted">: {c.fields.join(", ")}</span>}
        </li>
      ))}
    </ul>
  );
}

/** A modal confirmation: Escape or Cancel closes it, the confirm button acts. */
function Confirm(
  { title, confirmLabel, onConfirm, onClose, children }: {
    title: string;
    confirmLabel: string;
    onConfirm: () => Promise<void>;
    onClose: () => void;
    children: ComponentChildren;
  },
) {
  const ref = useRef<HTMLDialogElement>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  useLayoutEffect(() => {
    ref.current?.showModal();
  }, []);
  async function confirm() {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await onConfirm();
    } catch (err) {
      error.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }
  return (
    <dialog ref={ref} class="confirm-dialog" aria-labelledby="confirm-title" onClose={onClose}>
      <h2 id="confirm-title">{title}</h2>
      {children}
      {error.value && <p role="alert" class="flash error">{error.value}</p>}
      <div class="form-buttons">
        <button type="button" onClick={confirm} aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Working…" : confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={() => ref.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** A published version shown as it was, read only: nothing changes until Restore. */
function ViewVersion(
  { version, current, timeZone, onClose }: {
    version: Published;
    current: Json[];
    timeZone: string;
    onClose: () => void;
  },
) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      class="confirm-dialog version-view"
      aria-labelledby="version-view-title"
      onClose={onClose}
    >
      <h2 id="version-view-title">Version {version.version}</h2>
      <p class="muted">
        Published {when(version.publishedAt, timeZone)}
        {version.publishedBy ? ` by ${version.publishedBy}` : ""} · {version.rules.length}{" "}
        {version.rules.length === 1 ? "rule" : "rules"}. Viewing restores nothing.
      </p>
      <ol class="version-rules">
        {version.rules.map((r, i) => {
          const rule = isObj(r) ? r : {};
          const event = isObj(rule.event) ? rule.event : {};
          return (
            <li key={i}>
              <strong>{String(rule.name ?? `Rule ${i + 1}`)}</strong> <code>{String(rule.id)}</code>
              {" "}
              <span class="badge">{String(event.type)}</span>
              {rule.enabled === false && <span class="badge disabled">off</span>}
              <span class="muted">priority {String(rule.priority)}</span>
            </li>
          );
        })}
      </ol>
      <h3 class="section-title">What the editor would change to get it back</h3>
      <DiffList changes={diffRules(current, version.rules)} empty="Nothing: the editor holds it." />
      <details>
        <summary>As JSON</summary>
        <pre class="version-json">{JSON.stringify(version.rules, null, 2)}</pre>
      </details>
      <div class="form-buttons">
        <button type="button" class="secondary" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

export function Versions({ state }: { state: RuleSetState }) {
  const { rules, saved, published, versions, nextCursor, groupId } = state;
  const dialog = useSignal<
    | { kind: "publish" }
    | { kind: "restore"; version: Published }
    | { kind: "view"; version: Published }
    | null
  >(null);
  const loading = useSignal(false);
  const base = `/merchant-groups/${groupId}/rules`;
  const dirty = !sameJson(rules.value, saved.value.rules);
  const current = published.value;
  const upToDate = current !== null && current.draftVersion === saved.value.version;
  const pending = diffRules(current?.rules ?? [], rules.value);

  const close = (opener: string) => {
    dialog.value = null;
    focusLater(opener);
  };

  async function publish() {
    try {
      const summary = await api<SummaryJson>("POST", `${base}/publish`, {
        draftVersion: saved.value.version,
      });
      published.value = { ...summary, rules: saved.value.rules };
      versions.value = [summary, ...versions.value];
      close("rules-publish");
      state.announce(`Version ${summary.version} published: the POS uses it from its next sale.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        dialog.value = null;
        state.stale();
        return;
      }
      throw err;
    }
  }

  async function openVersion(n: number, kind: "restore" | "view") {
    const version = await api<Published>("GET", `${base}/versions/${n}`);
    dialog.value = { kind, version };
  }

  async function restore(n: number) {
    const draft = await api<DraftJson>("POST", `${base}/versions/${n}/restore`);
    saved.value = draft;
    rules.value = draft.rules;
    close(`restore-${n}`);
    state.announce(
      `Version ${n} restored into the draft (now version ${draft.version}); publish it to use it.`,
    );
  }

  async function more() {
    loading.value = true;
    try {
      const page = await api<{ items: SummaryJson[]; nextCursor: string | null }>(
        "GET",
        `${base}/versions?cursor=${encodeURIComponent(nextCursor.value ?? "")}`,
      );
      versions.value = [...versions.value, ...page.items];
      nextCursor.value = page.nextCursor;
    } catch (err) {
      state.announce(describeError(err));
    } finally {
      loading.value = false;
    }
  }

  const publishBlocked = dirty
    ? "Save the draft first: what is published is the saved draft."
    : upToDate
    ? `The draft is published as version ${current!.version}.`
    : null;

  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Publishing</h2>
      <h3 class="section-title">
        {current
          ? `Changes in the editor since published version ${current.version}`
          : "Nothing is published yet: the POS earns no points. Every rule is new."}
      </h3>
      <DiffList changes={pending} empty="None: the editor holds the published rules." />
      {state.canManage && (
        <div class="toolbar">
          <button
            type="button"
            id="rules-publish"
            aria-disabled={publishBlocked ? "true" : undefined}
            aria-describedby={publishBlocked ? "rules-publish-why" : undefined}
            onClick={() => {
              if (!publishBlocked) dialog.value = { kind: "publish" };
            }}
          >
            Publish…
          </button>
          {publishBlocked && <span id="rules-publish-why" class="hint">{publishBlocked}</span>}
        </div>
      )}
      <h3 class="section-title">Published versions</h3>
      {versions.value.length === 0 ? <p class="muted">None yet.</p> : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Version</th>
                <th>Published</th>
                <th>By</th>
                <th class="num">Rules</th>
                <th>
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {versions.value.map((v) => (
                <tr key={v.version}>
                  <td>
                    {v.version}
                    {v.version === current?.version && <span class="badge">live</span>}
                  </td>
                  <td>{when(v.publishedAt, state.timeZone)}</td>
                  <td>{v.publishedBy ?? "—"}</td>
                  <td class="num">{v.ruleCount}</td>
                  <td class="cell-actions">
                    <button
                      type="button"
                      id={`view-${v.version}`}
                      class="secondary small"
                      aria-label={`View version ${v.version}`}
                      onClick={() =>
                        openVersion(v.version, "view").catch((err) =>
                          state.announce(describeError(err))
                        )}
                    >
                      View
                    </button>
                    {state.canManage && (
                      <button
                        type="button"
                        id={`restore-${v.version}`}
                        class="secondary small"
                        onClick={() =>
                          openVersion(v.version, "restore").catch((err) =>
                            state.announce(describeError(err))
                          )}
                      >
                        Restore…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor.value && (
        <button
          type="button"
          class="secondary small"
          aria-disabled={loading.value ? "true" : undefined}
          onClick={more}
        >
          Older versions
        </button>
      )}
      {dialog.value?.kind === "publish" && (
        <Confirm
          title={`Publish the draft as version ${(current?.version ?? 0) + 1}?`}
          confirmLabel={`Publish version ${(current?.version ?? 0) + 1}`}
          onConfirm={publish}
          onClose={() => close("rules-publish")}
        >
          <p>
            The POS prices every sale with it from its next call.{" "}
            {current ? `Compared with version ${current.version}:` : "Nothing is published yet:"}
          </p>
          <DiffList
            changes={diffRules(current?.rules ?? [], saved.value.rules)}
            empty="No rule changes."
          />
        </Confirm>
      )}
      {dialog.value?.kind === "view" && (
        <ViewVersion
          version={dialog.value.version}
          current={rules.value}
          timeZone={state.timeZone}
          onClose={() => close(`view-${(dialog.value as { version: Published }).version.version}`)}
        />
      )}
      {dialog.value?.kind === "restore" && (() => {
        const v = dialog.value.version;
        return (
          <Confirm
            title={`Restore version ${v.version} into the draft?`}
            confirmLabel={`Restore version ${v.version}`}
            onConfirm={() => restore(v.version)}
            onClose={() => close(`restore-${v.version}`)}
          >
            <p>
              The draft becomes the rules of version {v.version}
              {dirty ? ", and the changes not saved yet are lost" : ""}. The POS keeps the published
              version until you publish. What it changes in the editor:
            </p>
            <DiffList changes={diffRules(rules.value, v.rules)} empty="No rule changes." />
          </Confirm>
        );
      })()}
    </section>
  );
}
