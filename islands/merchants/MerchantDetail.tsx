import { useSignal } from "@preact/signals";
import type { StoreTree } from "../api.ts";
import { posLabel, storeLabel } from "./labels.ts";
import { TokenPanel } from "../token_panel.tsx";
import { mostCommonZone } from "../../calendar/zones.ts";

export interface MerchantDetailProps {
  merchant: { id: string; name: string };
  /** Every store of the merchant, each with every POS. */
  stores: StoreTree[];
  /** `tokens:manage`: issue, list and revoke the merchant's and its POS's tokens. */
  manageTokens: boolean;
}

const opener = (key: string) => `open-tokens-${key}`;

/**
 * Seed 000: a merchant's page lists every POS of its stores, so that a token can be issued for
 * each POS and for the merchant itself.
 */
export default function MerchantDetail({ merchant, stores, manageTokens }: MerchantDetailProps) {
  // One token panel open at a time, named by its principal's id.
  const open = useSignal<string | null>(null);
  const notice = useSignal("");
  const close = () => {
    const key = open.peek();
    open.value = null;
    if (key) setTimeout(() => document.getElementById(opener(key))?.focus());
  };

  const toggle = (id: string, label: string) =>
    manageTokens && (
      <span class="actions">
        <button
          type="button"
          id={opener(id)}
          class="secondary small"
          aria-label={`Tokens of ${label}`}
          aria-expanded={open.value === id}
          onClick={() => open.value === id ? close() : open.value = id}
        >
          Tokens
        </button>
      </span>
    );
  const panel = (kind: "merchant" | "pos", id: string, label: string) =>
    manageTokens && open.value === id && (
      <TokenPanel
        kind={kind}
        id={id}
        label={label}
        timeZone={mostCommonZone(stores.map((s) => s.timezone)) ?? "UTC"}
        onChanged={(message) => {
          notice.value = message;
          return Promise.resolve();
        }}
        onClose={close}
      />
    );

  return (
    <div class="merchant-detail">
      <p role="status" class="sr-only">{notice}</p>
      <section class="card" aria-labelledby="merchant-tokens">
        <div class="node-row">
          <h2 id="merchant-tokens" class="name">Tokens of the merchant</h2>
          {toggle(merchant.id, merchant.name)}
        </div>
        <p class="hint">
          A merchant token may act for any POS of the merchant's stores, e.g. from its back office;
          each POS below also has tokens of its own.
        </p>
        {panel("merchant", merchant.id, merchant.name)}
      </section>
      {stores.map((s) => (
        <section key={s.id} class="card" aria-labelledby={`store-${s.id}`}>
          <div class="node-row">
            <span class="kind">Store {s.number}</span>
            <h2 id={`store-${s.id}`} class="name">{s.name}</h2>
            <span class="muted">{s.timezone}</span>
            <span class={`badge ${s.status}`}>{s.status}</span>
          </div>
          {s.pos.length === 0
            ? (
              <p class="muted empty">
                No POS in this store yet: add them on the <a href="/console/devices">Devices</a>
                {" "}
                page.
              </p>
            )
            : (
              <ul class="tree">
                {s.pos.map((p) => (
                  <li key={p.id}>
                    <div class={`node ${p.status}`}>
                      <div class="node-row">
                        <span class="kind">POS {p.number}</span>
                        <span class="name">{p.name}</span>
                        <span class={`badge ${p.status}`}>{p.status}</span>
                        {toggle(p.id, `${storeLabel(s)} · ${posLabel(p)}`)}
                      </div>
                      {panel("pos", p.id, `${storeLabel(s)} · ${posLabel(p)}`)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
        </section>
      ))}
    </div>
  );
}
