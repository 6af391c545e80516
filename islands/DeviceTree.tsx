import { useSignal } from "@preact/signals";
import { type ComponentChildren, createContext, type VNode } from "preact";
import { useContext, useMemo } from "preact/hooks";
import { api, describeError, type OrgTree, type SiteTree, type StoreTree } from "./api.ts";
import { type FieldSpec, InlineForm, toNumber } from "./inline_form.tsx";
import { type OneOpen, oneOpen, opener } from "./one_open.ts";
import { TokenPanel } from "./token_panel.tsx";
import { newStoreZone } from "../calendar/zones.ts";

/** What the caller may change in one organization, decided on the server from their role. */
export interface OrgAccess {
  /** Rename, disable or enable the organization itself. */
  manageOrg: boolean;
  /** Add, rename, disable or enable its sites, stores and POS. */
  manageRegistry: boolean;
  /** Issue, list and revoke POS and site tokens. */
  manageTokens: boolean;
}

export interface DeviceOrg {
  tree: OrgTree;
  access: OrgAccess;
}

export interface DeviceTreeProps {
  /** Only the installation owner creates organizations. */
  isOwner: boolean;
  orgs: DeviceOrg[];
}

type Kind = "organization" | "site" | "store" | "pos";
type Status = "active" | "disabled";

const PATH: Record<Kind, string> = {
  organization: "/organizations",
  site: "/sites",
  store: "/stores",
  pos: "/pos",
};
const KIND_LABEL: Record<Kind, string> = {
  organization: "Organization",
  site: "Site",
  store: "Store",
  pos: "POS",
};
/** How a notice names what was added: "Store Gare added to …". */
const KIND_NOUN: Record<string, string> = { site: "Site", store: "Store", POS: "POS" };
const OWNER_ACCESS: OrgAccess = { manageOrg: true, manageRegistry: true, manageTokens: true };
const NAME: FieldSpec = { name: "name", label: "Name" };

/** Shared by every node: one form or panel is open at a time, named by a key. */
interface Ui extends OneOpen {
  /** Reloads one organization's tree from the API, after a change in it. */
  refresh(orgId: string): Promise<void>;
  /** Tells screen readers what just happened. */
  announce(message: string): void;
}

const UiContext = createContext<Ui | null>(null);

function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error("a device node rendered outside DeviceTree");
  return ui;
}

const nextNumber = (items: { number: number }[]) =>
  String(Math.max(0, ...items.map((i) => i.number)) + 1);

let zones: string[] | undefined;
const timeZones = () => zones ??= Intl.supportedValuesOf("timeZone");

/** The organization → site → store → POS tree, with inline forms for whoever may change it. */
export default function DeviceTree({ isOwner, orgs: initial }: DeviceTreeProps) {
  const orgs = useSignal(initial);
  const open = useSignal<string | null>(null);
  const notice = useSignal("");
  const failure = useSignal<string | null>(null);
  const ui = useMemo<Ui>(() => {
    return {
      ...oneOpen(open),
      async refresh(orgId) {
        try {
          const tree = await api<OrgTree>("GET", `/organizations/${orgId}`);
          orgs.value = orgs.value.map((o) => o.tree.id === orgId ? { ...o, tree } : o);
          failure.value = null;
        } catch (err) {
          failure.value = `The change was saved but the tree could not be reloaded: ${
            describeError(err)
          }`;
        }
      },
      announce(message) {
        notice.value = message;
      },
    };
  }, []);

  async function createOrganization(values: Record<string, string>) {
    const org = await api<Omit<OrgTree, "sites">>("POST", "/organizations", {
      name: values.name,
    });
    orgs.value = [...orgs.value, { tree: { ...org, sites: [] }, access: OWNER_ACCESS }];
    ui.close();
    ui.announce(`Organization ${org.name} created`);
    await ui.refresh(org.id);
  }

  return (
    <UiContext.Provider value={ui}>
      <div class="devices">
        <p role="status" class="sr-only">{notice}</p>
        {failure.value && <p role="alert" class="flash error">{failure.value}</p>}
        {isOwner && (
          <div class="toolbar">
            <button
              type="button"
              id={opener("new-org")}
              aria-expanded={open.value === "new-org"}
              onClick={() => ui.toggle("new-org")}
            >
              New organization
            </button>
          </div>
        )}
        {open.value === "new-org" && (
          <InlineForm
            id="new-org"
            label="New organization"
            fields={[NAME]}
            submitLabel="Create organization"
            onSubmit={createOrganization}
            onCancel={ui.close}
          />
        )}
        {orgs.value.length === 0 && (
          <p class="card muted">
            {isOwner
              ? "No organization yet: create the first one."
              : "You are not a member of any organization yet."}
          </p>
        )}
        {orgs.value.map((o) => <OrgCard key={o.tree.id} {...o} />)}
      </div>
    </UiContext.Provider>
  );
}

function OrgCard({ tree, access }: DeviceOrg) {
  const edit = access.manageRegistry;
  const tokens = access.manageTokens;
  const readOnly = !access.manageOrg && !edit && !tokens;
  return (
    <section class="card org" aria-label={tree.name}>
      <Node
        kind="organization"
        orgId={tree.id}
        item={tree}
        meta={readOnly ? "read only" : undefined}
        canEdit={access.manageOrg}
        add={edit
          ? {
            noun: "site",
            path: `/organizations/${tree.id}/sites`,
            fields: () => [NAME],
            body: (v) => ({ name: v.name }),
          }
          : undefined}
      >
        <Branch
          items={tree.sites}
          empty="No sites yet."
          render={(site) => (
            <Node
              kind="site"
              orgId={tree.id}
              item={site}
              canEdit={edit}
              add={edit ? addStore(site, tree) : undefined}
              tokens={tokens ? "site" : undefined}
              zone={newStoreZone(site.stores.map((s) => s.timezone), [])}
            >
              <Branch
                items={site.stores}
                empty="No stores yet."
                render={(store) => (
                  <Node
                    kind="store"
                    orgId={tree.id}
                    item={store}
                    number={store.number}
                    meta={store.timezone}
                    canEdit={edit}
                    add={edit ? addPos(store) : undefined}
                  >
                    <Branch
                      items={store.pos}
                      empty="No POS yet."
                      render={(pos) => (
                        <Node
                          kind="pos"
                          orgId={tree.id}
                          item={pos}
                          number={pos.number}
                          canEdit={edit}
                          tokens={tokens ? "pos" : undefined}
                          zone={store.timezone}
                        />
                      )}
                    />
                  </Node>
                )}
              />
            </Node>
          )}
        />
      </Node>
    </section>
  );
}

const addStore = (site: SiteTree, org: OrgTree): ChildSpec => ({
  noun: "store",
  path: `/sites/${site.id}/stores`,
  // Built when the form opens: the zone is the site's stores', as the API defaults it.
  fields: () => [
    { name: "number", label: "Number", type: "number", value: nextNumber(site.stores) },
    NAME,
    {
      name: "timezone",
      label: "Time zone",
      value: newStoreZone(
        site.stores.map((s) => s.timezone),
        org.sites.flatMap((s) => s.stores.map((st) => st.timezone)),
      ),
      options: timeZones(),
      hint: "IANA name, e.g. Europe/Paris",
    },
  ],
  body: (v) => ({ number: toNumber(v.number), name: v.name, timezone: v.timezone.trim() }),
});

const addPos = (store: StoreTree): ChildSpec => ({
  noun: "POS",
  path: `/stores/${store.id}/pos`,
  fields: () => [
    { name: "number", label: "Number", type: "number", value: nextNumber(store.pos) },
    NAME,
  ],
  body: (v) => ({ number: toNumber(v.number), name: v.name }),
});

function Branch<T extends { id: string }>(
  { items, empty, render }: { items: T[]; empty: string; render: (item: T) => VNode },
) {
  if (!items.length) return <p class="muted empty">{empty}</p>;
  return <ul class="tree">{items.map((item) => <li key={item.id}>{render(item)}</li>)}</ul>;
}

/** What may be added under a node: the API path and the form. */
interface ChildSpec {
  noun: string;
  path: string;
  fields: () => FieldSpec[];
  body: (values: Record<string, string>) => unknown;
}

interface NodeProps {
  kind: Kind;
  orgId: string;
  item: { id: string; name: string; status: Status };
  /** A store's or POS's number, unique among its siblings. */
  number?: number;
  meta?: string;
  canEdit: boolean;
  add?: ChildSpec;
  /** The token principal, when the caller may manage its tokens. */
  tokens?: "pos" | "site";
  /** The clock its tokens' times are read on. */
  zone?: string;
  children?: ComponentChildren;
}

/** One row of the tree (name, status, actions) with its open form or panel and its children. */
function Node(
  { kind, orgId, item, number, meta, canEdit, add, tokens, zone = "UTC", children }: NodeProps,
) {
  const ui = useUi();
  const tag = number === undefined ? KIND_LABEL[kind] : `${KIND_LABEL[kind]} ${number}`;
  // How buttons and forms name it, e.g. "Store 12 · Paris Opéra".
  const label = number === undefined ? item.name : `${tag} · ${item.name}`;
  const rowError = useSignal<string | null>(null);
  /** What was just added under this node, shown beside it (the tree may be long). */
  const rowNotice = useSignal<string | null>(null);
  const busy = useSignal(false);
  /** Disabling an organization stops all of its devices: asked first, as a token's revocation. */
  const confirming = useSignal(false);
  const focusById = (id: string) => setTimeout(() => document.getElementById(id)?.focus());
  const key = (what: string) => `${what}-${kind}-${item.id}`;
  const open = ui.open.value;
  const Name = kind === "organization" ? "h2" : "span";

  async function patch(body: { name?: string; status?: Status }) {
    await api("PATCH", `${PATH[kind]}/${item.id}`, body);
    await ui.refresh(orgId);
  }

  async function toggleStatus() {
    if (busy.value) return;
    busy.value = true;
    rowError.value = null;
    const status = item.status === "active" ? "disabled" : "active";
    try {
      await patch({ status });
      confirming.value = false;
      ui.announce(`${label} ${status === "active" ? "enabled" : "disabled"}`);
    } catch (err) {
      rowError.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }

  const toggler = (what: string, text: string, ariaLabel: string) => (
    <button
      type="button"
      id={opener(key(what))}
      class="secondary small"
      aria-label={ariaLabel}
      aria-expanded={open === key(what)}
      onClick={() => ui.toggle(key(what))}
    >
      {text}
    </button>
  );

  return (
    <div class={`node ${item.status}`}>
      <div class="node-row">
        <span class="kind">{tag}</span>
        {open === key("rename")
          ? (
            <InlineForm
              id={key("rename")}
              label={`Rename ${label}`}
              fields={[{ ...NAME, value: item.name }]}
              submitLabel="Save"
              onSubmit={async (v) => {
                await patch({ name: v.name });
                ui.close();
                ui.announce(`${label} renamed to ${v.name.trim()}`);
              }}
              onCancel={ui.close}
            />
          )
          : (
            <>
              <Name class="name">{item.name}</Name>
              {meta && <span class="muted">{meta}</span>}
              <span class={`badge ${item.status}`}>{item.status}</span>
              <span class="actions">
                {canEdit && (
                  <>
                    {toggler("rename", "Rename", `Rename ${label}`)}
                    {!confirming.value && (
                      <button
                        type="button"
                        id={key("status")}
                        class="secondary small"
                        aria-label={`${item.status === "active" ? "Disable" : "Enable"} ${label}`}
                        aria-disabled={busy.value ? "true" : undefined}
                        onClick={() => {
                          if (kind !== "organization" || item.status !== "active") {
                            return toggleStatus();
                          }
                          confirming.value = true;
                          focusById(key("keep"));
                        }}
                      >
                        {item.status === "active" ? "Disable" : "Enable"}
                      </button>
                    )}
                    {confirming.value && (
                      <span class="confirm" role="group" aria-label="Confirm disabling">
                        <span>
                          Disable{" "}
                          {item.name}? Every POS and site token of it is refused until it is enabled
                          again.
                        </span>
                        <button type="button" class="danger small" onClick={toggleStatus}>
                          Disable organization
                        </button>
                        <button
                          type="button"
                          id={key("keep")}
                          class="secondary small"
                          onClick={() => {
                            confirming.value = false;
                            focusById(key("status"));
                          }}
                        >
                          Keep it enabled
                        </button>
                      </span>
                    )}
                  </>
                )}
                {add && toggler("add", `Add ${add.noun}`, `Add ${add.noun} to ${label}`)}
                {tokens && toggler("tokens", "Tokens", `Tokens of ${label}`)}
              </span>
            </>
          )}
      </div>
      {rowError.value && <p role="alert" class="flash error">{rowError.value}</p>}
      {rowNotice.value && <p role="status" class="flash">{rowNotice.value}</p>}
      {add && open === key("add") && (
        <InlineForm
          id={key("add")}
          label={`New ${add.noun} in ${label}`}
          fields={add.fields()}
          submitLabel={`Add ${add.noun}`}
          onSubmit={async (v) => {
            await api("POST", add.path, add.body(v));
            await ui.refresh(orgId);
            ui.close();
            rowNotice.value = `${KIND_NOUN[add.noun]} ${v.name.trim()} added to ${label}.`;
            ui.announce(rowNotice.value);
          }}
          onCancel={ui.close}
        />
      )}
      {tokens && open === key("tokens") && (
        <TokenPanel
          kind={tokens}
          id={item.id}
          label={label}
          timeZone={zone}
          onChanged={async (message) => {
            await ui.refresh(orgId);
            ui.announce(message);
          }}
          onClose={ui.close}
        />
      )}
      {children}
    </div>
  );
}
