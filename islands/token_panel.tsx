import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, describeError, type IssuedToken, type TokenItem } from "./api.ts";
import { InlineForm, toNumber } from "./inline_form.tsx";
import { when } from "../web/format.ts";

export interface TokenPanelProps {
  kind: "pos" | "site" | "merchant";
  id: string;
  /** How the POS, site or merchant is called, e.g. "POS 1 · Till 1". */
  label: string;
  /** The clock the tokens' times are read on: its store's, or its stores' most common zone. */
  timeZone: string;
  /** After a token is issued or revoked: refreshes the tree and announces `message`. */
  onChanged: (message: string) => Promise<void>;
  onClose: () => void;
}

const tokenName = (t: TokenItem) => t.label || t.jti.slice(0, 8);

const focusById = (id: string) => setTimeout(() => document.getElementById(id)?.focus());

const PRINCIPAL_PATH = { pos: "/pos", site: "/sites", merchant: "/merchants" } as const;

/**
 * The tokens a POS, a site or a merchant authenticates with: issue one (its secret is shown
 * once, here), list them, revoke one after a confirmation.
 */
export function TokenPanel({ kind, id, label, timeZone, onChanged, onClose }: TokenPanelProps) {
  const items = useSignal<TokenItem[] | null>(null);
  const problem = useSignal<string | null>(null);
  const issued = useSignal<IssuedToken | null>(null);
  const copyNote = useSignal("");
  const confirming = useSignal<string | null>(null);
  const secret = useRef<HTMLInputElement>(null);
  const path = `${PRINCIPAL_PATH[kind]}/${id}`;
  const headingId = `tokens-${id}`;

  async function load() {
    try {
      const principal = encodeURIComponent(`${kind}:${id}`);
      items.value = (await api<{ items: TokenItem[] }>("GET", `/tokens?principal=${principal}`))
        .items;
    } catch (err) {
      problem.value = describeError(err);
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function issue(values: Record<string, string>) {
    issued.value = await api<IssuedToken>("POST", `${path}/tokens`, {
      label: values.label.trim() || undefined,
      ttlDays: toNumber(values.ttlDays),
    });
    copyNote.value = "";
    // Focused, it is selected (onFocus): Ctrl+C copies it straight away.
    setTimeout(() => secret.current?.focus());
    await Promise.all([load(), onChanged(`Token issued for ${label}`)]);
  }

  async function copy() {
    const token = issued.value?.token ?? "";
    try {
      await navigator.clipboard.writeText(token);
      copyNote.value = "Copied to the clipboard.";
    } catch {
      // No clipboard access (insecure origin, permission refused): leave the copying to the user.
      secret.current?.focus();
      secret.current?.select();
      copyNote.value = "Selected: press Ctrl+C (⌘C on a Mac) to copy it.";
    }
  }

  async function revoke(t: TokenItem) {
    problem.value = null;
    try {
      await api<void>("DELETE", `/tokens/${encodeURIComponent(t.jti)}`);
    } catch (err) {
      problem.value = describeError(err);
      return;
    }
    confirming.value = null;
    if (issued.value?.jti === t.jti) issued.value = null;
    // The row loses its button: keep the focus in the panel.
    focusById(headingId);
    await Promise.all([load(), onChanged(`Token ${tokenName(t)} revoked`)]);
  }

  return (
    <div
      class="panel"
      role="region"
      aria-labelledby={headingId}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        if (confirming.value) {
          focusById(`revoke-${confirming.value}`);
          confirming.value = null;
        } else onClose();
      }}
    >
      <div class="panel-head">
        <h3 id={headingId} tabIndex={-1}>Tokens of {label}</h3>
        <button type="button" class="secondary small" onClick={onClose}>Close</button>
      </div>
      {issued.value && (
        <div class="one-time">
          <label for={`secret-${id}`}>New token</label>
          <div class="copy-row">
            <input
              id={`secret-${id}`}
              ref={secret}
              class="secret"
              readOnly
              value={issued.value.token}
              aria-describedby={`secret-${id}-warning`}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" onClick={copy}>Copy</button>
            <button type="button" class="secondary" onClick={() => issued.value = null}>
              Done
            </button>
          </div>
          <p id={`secret-${id}-warning`} class="warning">
            Copy it now: it will not be shown again. It expires{" "}
            {when(issued.value.expiresAt, timeZone)}.
          </p>
          <p role="status" class="muted">{copyNote}</p>
        </div>
      )}
      <InlineForm
        id={`issue-${id}`}
        label={`Issue a token for ${label}`}
        fields={[
          { name: "label", label: "Label", optional: true, hint: "Where it is installed" },
          {
            name: "ttlDays",
            label: "Valid for (days)",
            type: "number",
            optional: true,
            hint: "Empty for the default",
          },
        ]}
        submitLabel="Issue token"
        resetOnSuccess
        onSubmit={issue}
      />
      {problem.value && <p role="alert" class="flash error">{problem.value}</p>}
      {items.value === null
        ? !problem.value && <p class="muted">Loading tokens…</p>
        : items.value.length === 0
        ? <p class="muted">No token issued yet.</p>
        : (
          <div class="table-scroll">
            <table class="tokens">
              <caption class="sr-only">Tokens of {label}</caption>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.value.map((t) => (
                  <tr key={t.jti}>
                    <td>{t.label ?? <span class="muted">—</span>}</td>
                    <td>
                      <time dateTime={t.createdAt}>{when(t.createdAt, timeZone)}</time>
                    </td>
                    <td>
                      <time dateTime={t.expiresAt}>{when(t.expiresAt, timeZone)}</time>
                    </td>
                    <td>
                      <span class={`badge ${t.status}`}>{t.status}</span>
                    </td>
                    <td class="cell-actions">
                      {t.status === "active" && confirming.value !== t.jti && (
                        <button
                          type="button"
                          id={`revoke-${t.jti}`}
                          class="secondary small"
                          aria-label={`Revoke token ${tokenName(t)}`}
                          onClick={() => {
                            confirming.value = t.jti;
                            focusById(`keep-${t.jti}`);
                          }}
                        >
                          Revoke
                        </button>
                      )}
                      {confirming.value === t.jti && (
                        <span class="confirm" role="group" aria-label="Confirm the revocation">
                          <span>Revoke? It stops working at once.</span>
                          <button
                            type="button"
                            class="danger small"
                            onClick={() =>
                              revoke(t)}
                          >
                            Revoke token
                          </button>
                          <button
                            type="button"
                            id={`keep-${t.jti}`}
                            class="secondary small"
                            onClick={() => {
                              confirming.value = null;
                              focusById(`revoke-${t.jti}`);
                            }}
                          >
                            Keep it
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}
