import { useSignal } from "@preact/signals";
import { type ComponentChildren, createContext } from "preact";
import { useContext, useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { api, ApiError, describeError, type FieldError, type OrgTree } from "../api.ts";
import { InlineForm } from "../inline_form.tsx";
import { type OneOpen, oneOpen, opener } from "../one_open.ts";
import {
  type GroupItem,
  type MerchantItem,
  type MerchantWithStores,
  NOT_IN_GROUP,
  posLabel,
  storeLabel,
} from "./labels.ts";

export interface MerchantOrg {
  /** The registry tree: the stores a new merchant may be linked to. */
  tree: OrgTree;
  groups: GroupItem[];
  merchants: MerchantWithStores[];
  /** `merchants:manage` in this organization: create groups and merchants, add to groups. */
  manage: boolean;
}

export interface MerchantManagerProps {
  orgs: MerchantOrg[];
}

/** Shared by every organization: one form is open at a time, named by a key. */
interface Ui extends OneOpen {
  /** Replaces one organization's state after a change the API confirmed. */
  update(orgId: string, change: (org: MerchantOrg) => MerchantOrg): void;
  /** Tells screen readers what just happened. */
  announce(message: string): void;
}

const UiContext = createContext<Ui | null>(null);

function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error("a merchant section rendered outside MerchantManager");
  return ui;
}

/** The id of the button that opens `key`. */

const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

/** Moves the focus once the render that shows `id` is done. */
const focusLater = (id: string) => setTimeout(() => document.getElementById(id)?.focus());

/**
 * Merchant groups and merchants of each organization the caller sees: create a group, create
 * a merchant from the organization's registered stores, add a merchant to a group.
 */
export default function MerchantManager({ orgs: initial }: MerchantManagerProps) {
  const orgs = useSignal(initial);
  const open = useSignal<string | null>(null);
  const notice = useSignal("");
  const ui = useMemo<Ui>(() => {
    return {
      ...oneOpen(open),
      update(orgId, change) {
        orgs.value = orgs.value.map((o) => o.tree.id === orgId ? change(o) : o);
      },
      announce(message) {
        notice.value = message;
      },
    };
  }, []);

  return (
    <UiContext.Provider value={ui}>
      <div class="merchants">
        <p role="status" class="sr-only">{notice}</p>
        {orgs.value.length === 0 && (
          <p class="card muted">
            No organization yet: organizations, sites and stores are registered on the{" "}
            <a href="/console/devices">Devices</a> page.
          </p>
        )}
        {orgs.value.map((o) => <OrgSection key={o.tree.id} org={o} />)}
      </div>
    </UiContext.Provider>
  );
}

function OrgSection({ org }: { org: MerchantOrg }) {
  const ui = useUi();
  const { tree, groups, merchants, manage } = org;
  const key = (what: string) => `${what}-${tree.id}`;
  const open = ui.open.value;
  const loose = merchants.filter((m) => !m.merchantGroupId);
  const headingId = `org-${tree.id}`;

  async function createGroup(values: Record<string, string>) {
    const group = await api<GroupItem>("POST", "/merchant-groups", {
      organizationId: tree.id,
      name: values.name,
    });
    ui.update(tree.id, (o) => ({ ...o, groups: byName([...o.groups, group]) }));
    ui.close();
    ui.announce(`Merchant group ${group.name} created`);
  }

  const toggler = (what: string, text: string) => (
    <button
      type="button"
      id={opener(key(what))}
      class="secondary small"
      aria-expanded={open === key(what)}
      aria-label={`${text} in ${tree.name}`}
      onClick={() => ui.toggle(key(what))}
    >
      {text}
    </button>
  );

  return (
    <section class="card org" aria-labelledby={headingId}>
      <div class="node-row">
        <span class="kind">Organization</span>
        <h2 id={headingId} class="name">{tree.name}</h2>
        {!manage && <span class="muted">read only</span>}
        {manage && (
          <span class="actions">
            {toggler("group", "New merchant group")}
            {toggler("merchant", "New merchant")}
          </span>
        )}
      </div>
      {manage && open === key("group") && (
        <InlineForm
          id={key("group")}
          label={`New merchant group in ${tree.name}`}
          fields={[{
            name: "name",
            label: "Name",
            hint: "A loyalty programme: its settings, customers and cards",
          }]}
          submitLabel="Create group"
          onSubmit={createGroup}
          onCancel={ui.close}
        />
      )}
      {manage && open === key("merchant") && <MerchantForm org={org} />}
      <h3 class="section-title">Merchant groups</h3>
      {groups.length === 0
        ? (
          <p class="muted empty">
            No merchant group yet{manage ? ": create one, then add merchants to it." : "."}
          </p>
        )
        : (
          <ul class="tree">
            {groups.map((g) => (
              <li key={g.id}>
                <GroupBlock
                  group={g}
                  merchants={merchants.filter((m) => m.merchantGroupId === g.id)}
                  org={manage ? org : undefined}
                />
              </li>
            ))}
          </ul>
        )}
      {loose.length > 0 && (
        <>
          <h3 class="section-title">Not in a group</h3>
          <ul class="merchant-list">
            {loose.map((m) => (
              <MerchantEntry key={m.id} merchant={m} org={manage ? org : undefined}>
                {manage && <JoinGroup orgId={tree.id} merchant={m} groups={groups} />}
              </MerchantEntry>
            ))}
          </ul>
        </>
      )}
      {merchants.length === 0 && (
        <p class="muted empty">
          No merchant yet{manage ? ": create one from the organization's stores." : "."}
        </p>
      )}
    </section>
  );
}

function GroupBlock(
  { group, merchants, org }: {
    group: GroupItem;
    merchants: MerchantWithStores[];
    /** Given when the caller manages merchants: each may take more stores. */
    org?: MerchantOrg;
  },
) {
  return (
    <div class="merchant-group">
      <div class="node-row">
        <span class="kind">Merchant group</span>
        <span class="name">{group.name}</span>
        <span class="actions">
          <a href={`/console/settings?group=${group.id}`}>Settings</a>
          <a href={`/console/customers?group=${group.id}`}>Customers</a>
        </span>
      </div>
      {merchants.length === 0
        ? <p class="muted empty">No merchant in this group yet.</p>
        : (
          <ul class="merchant-list">
            {merchants.map((m) => <MerchantEntry key={m.id} merchant={m} org={org} />)}
          </ul>
        )}
    </div>
  );
}

/** A merchant with its stores and their POS; `children` go on its row (the way into a group). */
function MerchantEntry(
  { merchant, org, children }: {
    merchant: MerchantWithStores;
    /** Given when the caller manages merchants: the stores that may be added. */
    org?: MerchantOrg;
    children?: ComponentChildren;
  },
) {
  return (
    <li class="merchant">
      <div class="node-row">
        <span class="kind">Merchant</span>
        <a id={`merchant-${merchant.id}`} class="name" href={`/console/merchants/${merchant.id}`}>
          {merchant.name}
        </a>
        {!merchant.merchantGroupId && <span class="badge warn">{NOT_IN_GROUP}</span>}
        {children}
      </div>
      <ul class="store-list">
        {merchant.stores.map((s) => (
          <li key={s.id}>
            <span class={s.status === "disabled" ? "muted" : undefined}>{storeLabel(s)}</span>
            {s.status === "disabled" && <span class="badge disabled">disabled</span>}
            {s.pos.length === 0 ? <span class="muted">no POS yet</span> : (
              <span class="pos-chips">
                {s.pos.map((p) => <span key={p.id} class={`chip ${p.status}`}>{posLabel(p)}</span>)}
              </span>
            )}
          </li>
        ))}
      </ul>
      {org && <AddStore org={org} merchant={merchant} />}
    </li>
  );
}

/** Links one more registered store, one no merchant has yet, to an existing merchant. */
function AddStore({ org, merchant }: { org: MerchantOrg; merchant: MerchantWithStores }) {
  const ui = useUi();
  const taken = new Set(org.merchants.flatMap((m) => m.stores.map((s) => s.id)));
  const free = org.tree.sites.flatMap((site) => site.stores).filter((s) => !taken.has(s.id));
  const chosen = useSignal("");
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const selectId = `add-store-${merchant.id}`;
  if (free.length === 0) return null;
  const storeId = free.some((s) => s.id === chosen.value) ? chosen.value : free[0].id;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      const updated = await api<MerchantWithStores>("POST", `/merchants/${merchant.id}/stores`, {
        storeId,
      });
      ui.update(org.tree.id, (o) => ({
        ...o,
        merchants: o.merchants.map((m) => m.id === merchant.id ? { ...m, ...updated } : m),
      }));
      const added = free.find((s) => s.id === storeId)!;
      ui.announce(`${storeLabel(added)} added to ${merchant.name}`);
      focusLater(`merchant-${merchant.id}`);
    } catch (err) {
      error.value = describeError(err);
      focusLater(selectId);
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="join" aria-label={`Add a store to ${merchant.name}`} onSubmit={submit}>
      <label for={selectId}>Store</label>
      <select
        id={selectId}
        value={storeId}
        onChange={(e) => chosen.value = e.currentTarget.value}
        aria-invalid={error.value ? "true" : undefined}
        aria-describedby={error.value ? `${selectId}-error` : undefined}
      >
        {free.map((s) => <option key={s.id} value={s.id}>{storeLabel(s)}</option>)}
      </select>
      <button type="submit" class="small" aria-disabled={busy.value ? "true" : undefined}>
        {busy.value ? "Adding…" : "Add store"}
      </button>
      {error.value && <span id={`${selectId}-error`} class="field-error">{error.value}</span>}
    </form>
  );
}

/** Adds a merchant to a group: from then on its POS may call the POS API. */
function JoinGroup(
  { orgId, merchant, groups }: { orgId: string; merchant: MerchantItem; groups: GroupItem[] },
) {
  const ui = useUi();
  const chosen = useSignal(groups[0]?.id ?? "");
  const error = useSignal<string | null>(null);
  const alert = useSignal<string | null>(null);
  const busy = useSignal(false);
  const selectId = `join-${merchant.id}`;
  if (groups.length === 0) {
    return <span class="hint actions">Create a merchant group to add it to.</span>;
  }
  // The first group when nothing was chosen, or the chosen one was just created elsewhere.
  const groupId = groups.some((g) => g.id === chosen.value) ? chosen.value : groups[0].id;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    alert.value = null;
    try {
      const joined = await api<MerchantItem>("POST", `/merchant-groups/${groupId}/merchants`, {
        merchantId: merchant.id,
      });
      const group = groups.find((g) => g.id === groupId)!;
      ui.update(orgId, (o) => ({
        ...o,
        merchants: o.merchants.map((m) =>
          m.id === merchant.id ? { ...m, merchantGroupId: joined.merchantGroupId } : m
        ),
      }));
      ui.announce(`${merchant.name} added to ${group.name}: its POS can now call the POS API`);
      // This form is gone with the render; the merchant's link, now under its group, stays.
      focusLater(`merchant-${merchant.id}`);
    } catch (err) {
      const own = err instanceof ApiError
        ? err.errors.find((fe) => fe.field === "merchantId")
        : undefined;
      if (own) {
        error.value = own.message;
        focusLater(selectId);
      } else alert.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="join actions" aria-label={`Add ${merchant.name} to a group`} onSubmit={submit}>
      <label for={selectId}>Group</label>
      <select
        id={selectId}
        name="merchantId"
        value={groupId}
        onChange={(e) =>
          chosen.value = e.currentTarget.value}
        aria-invalid={error.value ? "true" : undefined}
        aria-describedby={error.value ? `${selectId}-error` : undefined}
      >
        {groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
      </select>
      <button type="submit" class="small" aria-disabled={busy.value ? "true" : undefined}>
        {busy.value ? "Adding…" : "Add to group"}
      </button>
      {error.value && <span id={`${selectId}-error`} class="field-error">{error.value}</span>}
      {alert.value && <span role="alert" class="flash error">{alert.value}</span>}
    </form>
  );
}

/**
 * A new merchant: a name and the stores it trades in, picked from the registry tree. A store
 * already linked to a merchant is shown as taken; the API refuses it anyway (409).
 */
function MerchantForm({ org }: { org: MerchantOrg }) {
  const ui = useUi();
  const { tree } = org;
  const id = `new-merchant-${tree.id}`;
  const name = useSignal("");
  const chosen = useSignal<ReadonlySet<string>>(new Set());
  const errors = useSignal<FieldError[]>([]);
  const alert = useSignal<string[] | null>(null);
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  const stores = tree.sites.flatMap((s) => s.stores);
  const takenBy = new Map(org.merchants.flatMap((m) => m.stores.map((s) => [s.id, m.name])));
  /** The storeIds as sent, so `storeIds.<i>` errors find their store again. */
  const sent = useRef<string[]>([]);

  // Opening a form is a request to type into it. A layout effect, not an effect: focus moves
  // in the render's own task, never after the user (or a test) has started typing elsewhere.
  useLayoutEffect(() => {
    form.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, []);

  const errorOf = (field: string) => errors.value.find((e) => e.field === field)?.message;
  const storeError = (storeId: string) => {
    const i = sent.current.indexOf(storeId);
    return i < 0 ? undefined : errorOf(`storeIds.${i}`);
  };

  function toggle(storeId: string, on: boolean) {
    const next = new Set(chosen.value);
    if (on) next.add(storeId);
    else next.delete(storeId);
    chosen.value = next;
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    errors.value = [];
    alert.value = null;
    // In the tree's order, which is the order the user sees.
    const storeIds = stores.filter((s) => chosen.value.has(s.id)).map((s) => s.id);
    sent.current = storeIds;
    try {
      const merchant = await api<MerchantItem>("POST", "/merchants", {
        organizationId: tree.id,
        name: name.value,
        storeIds,
      });
      const linked = stores.filter((s) => storeIds.includes(s.id));
      ui.update(tree.id, (o) => ({
        ...o,
        merchants: byName([...o.merchants, { ...merchant, stores: linked }]),
      }));
      ui.open.value = null;
      ui.announce(`Merchant ${merchant.name} created; add it to a group so its POS can be used`);
      // Next step: its group. Without a group to choose, back to the button that opened this.
      setTimeout(() => {
        const next = document.getElementById(`join-${merchant.id}`) ??
          document.getElementById(opener(`merchant-${tree.id}`));
        next?.focus();
      });
    } catch (err) {
      const all = err instanceof ApiError ? err.errors : [];
      // `storeIds.<i>` goes next to the i-th store sent; anything else unknown to the alert.
      const mine = all.filter((fe) =>
        fe.field === "name" || fe.field === "storeIds" ||
        storeIds[Number(/^storeIds\.(\d+)$/.exec(fe.field)?.[1] ?? -1)] !== undefined
      );
      const rest = all.filter((fe) => !mine.includes(fe));
      errors.value = mine;
      // A field error says it all; the title is for problems no field explains.
      if (!mine.length || rest.length) {
        alert.value = [describeError(err), ...rest.map((fe) => `${fe.field}: ${fe.message}`)];
      }
      // Where the user must act: the first field marked, else the first store they may pick.
      setTimeout(() => {
        const at = (selector: string) => form.current?.querySelector<HTMLElement>(selector);
        (at("[aria-invalid=true]") ?? at(".store-picker input:not(:disabled)"))?.focus();
      });
    } finally {
      busy.value = false;
    }
  }

  const nameError = errorOf("name");
  const storesError = errorOf("storeIds");
  const pickerDescribedBy = [`${id}-stores-hint`, storesError && `${id}-stores-error`]
    .filter(Boolean).join(" ");

  return (
    <form
      ref={form}
      class="inline-form merchant-form"
      aria-label={`New merchant in ${tree.name}`}
      noValidate
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        e.stopPropagation();
        ui.close();
      }}
    >
      {alert.value && (
        <div role="alert" class="flash error form-alert">
          {alert.value.map((line) => <div key={line}>{line}</div>)}
        </div>
      )}
      <div class="field">
        <label for={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          name="name"
          autocomplete="off"
          required
          value={name.value}
          onInput={(e) => name.value = e.currentTarget.value}
          aria-invalid={nameError ? "true" : undefined}
          aria-describedby={nameError ? `${id}-name-error` : undefined}
        />
        {nameError && <span id={`${id}-name-error`} class="field-error">{nameError}</span>}
      </div>
      <fieldset class="store-picker" aria-describedby={pickerDescribedBy}>
        <legend>Stores</legend>
        <span id={`${id}-stores-hint`} class="hint">
          Registered stores of {tree.name}. A store belongs to one merchant at most.
        </span>
        {stores.length === 0 && (
          <p class="muted">
            No store is registered yet: add stores on the <a href="/console/devices">Devices</a>
            {" "}
            page first.
          </p>
        )}
        {tree.sites.filter((site) => site.stores.length > 0).map((site) => (
          <fieldset key={site.id} class="site-stores">
            <legend>
              <span class="kind">Site</span> {site.name}
            </legend>
            {site.stores.map((s) => {
              const inputId = `${id}-store-${s.id}`;
              const taken = takenBy.get(s.id);
              const error = storeError(s.id);
              const describedBy = [taken && `${inputId}-taken`, error && `${inputId}-error`]
                .filter(Boolean).join(" ");
              return (
                <div key={s.id} class="store-choice">
                  <label class="check" for={inputId}>
                    <input
                      id={inputId}
                      type="checkbox"
                      name="storeIds"
                      value={s.id}
                      disabled={taken !== undefined}
                      checked={chosen.value.has(s.id)}
                      onChange={(e) => toggle(s.id, e.currentTarget.checked)}
                      aria-invalid={error ? "true" : undefined}
                      aria-describedby={describedBy || undefined}
                    />
                    {storeLabel(s)}
                    <span class="muted">
                      {s.pos.length === 1 ? "1 POS" : `${s.pos.length} POS`}
                    </span>
                    {s.status === "disabled" && <span class="badge disabled">disabled</span>}
                  </label>
                  {taken !== undefined && (
                    <span id={`${inputId}-taken`} class="hint">taken by {taken}</span>
                  )}
                  {error && <span id={`${inputId}-error`} class="field-error">{error}</span>}
                </div>
              );
            })}
          </fieldset>
        ))}
        {storesError && <span id={`${id}-stores-error`} class="field-error">{storesError}</span>}
      </fieldset>
      <div class="form-buttons">
        <button type="submit" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Saving…" : "Create merchant"}
        </button>
        <button type="button" class="secondary" onClick={ui.close}>Cancel</button>
      </div>
    </form>
  );
}
