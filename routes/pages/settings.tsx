import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { authorizeGroup, listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { getSettings, saveSettings, type SettingsVersion } from "../../programme/settings.ts";
import {
  type LoyaltySettings,
  LoyaltySettingsSchema,
  ROUNDING_LABELS,
  SETTING_TEXT,
} from "../../programme/settings_schema.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { ROUNDING_MODES } from "../../rules/points.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { formText } from "../../web/form.ts";
import { when } from "../../web/format.ts";

type Key = keyof typeof SETTING_TEXT;
/** How a setting is edited in the form, and so how its text is read back. */
type Kind =
  | "names"
  | "check"
  | "text"
  | "codes"
  | "count"
  | "optionalNumber"
  | "rounding"
  | "level";

const KIND: Record<Key, Kind> = {
  categoryNames: "names",
  exportCustomersRequiresLocation: "check",
  generateAutomaticCustomerCard: "check",
  defaultAccountType: "text",
  maxAccountsPerCustomer: "count",
  nonLoyaltyCategoryCodes: "codes",
  multipleSalesInOneDayCountAsOneVisit: "check",
  staffLoyaltyCategoryCodes: "codes",
  staffLoyaltyDefaultLocation: "optionalNumber",
  showKeyLineTotal: "check",
  keyLineTotalReferenceMatch: "text",
  calcPointsOnDiscountedItems: "check",
  originalReceiptReturnReturnsOriginalPoints: "check",
  roundingRule: "rounding",
  sendNewMemberEmail: "check",
  "wholesale.location": "optionalNumber",
  "wholesale.tillCode": "text",
  "wholesale.tillNumber": "optionalNumber",
  "wholesale.operatorNumber": "optionalNumber",
  "wholesale.priceLevel": "level",
};

/** The sections of seed 004, in its order. */
const GROUPS: { title: string; intro: string; keys: Key[] }[] = [
  {
    title: "Categories",
    intro: "Every customer has five categories; these name them on the customer screens.",
    keys: ["categoryNames", "exportCustomersRequiresLocation"],
  },
  {
    title: "Customers and loyalty",
    intro: "Who is a member, what new customers get, and how points are counted.",
    keys: [
      "generateAutomaticCustomerCard",
      "defaultAccountType",
      "maxAccountsPerCustomer",
      "nonLoyaltyCategoryCodes",
      "multipleSalesInOneDayCountAsOneVisit",
      "staffLoyaltyCategoryCodes",
      "staffLoyaltyDefaultLocation",
      "showKeyLineTotal",
      "keyLineTotalReferenceMatch",
      "calcPointsOnDiscountedItems",
      "originalReceiptReturnReturnsOriginalPoints",
      "roundingRule",
      "sendNewMemberEmail",
    ],
  },
  {
    title: "Wholesale",
    intro: "Back-office customer orders: where they are recorded when their store has no " +
      "till, and at which price.",
    keys: [
      "wholesale.location",
      "wholesale.tillCode",
      "wholesale.tillNumber",
      "wholesale.operatorNumber",
      "wholesale.priceLevel",
    ],
  },
];

const CATEGORY_LABELS = [
  "Category 1 (customer type)",
  "Category 2",
  "Category 3",
  "Category 4",
  "Category 5",
];

type FormValues = Record<string, string>;

function valueAt(settings: LoyaltySettings, key: Key): unknown {
  return key.startsWith("wholesale.")
    ? settings.wholesale[key.slice(10) as keyof LoyaltySettings["wholesale"]]
    : settings[key as Exclude<Key, `wholesale.${string}`>];
}

/** The settings as the form's text fields hold them. */
function toForm(settings: LoyaltySettings): FormValues {
  const out: FormValues = {};
  for (const key of Object.keys(KIND) as Key[]) {
    const value = valueAt(settings, key);
    switch (KIND[key]) {
      case "names":
        settings.categoryNames.forEach((n, i) => out[`categoryNames.${i}`] = n);
        break;
      case "check":
        if (value) out[key] = "on";
        break;
      case "codes":
        out[key] = (value as string[]).join(", ");
        break;
      default:
        out[key] = value === null ? "" : String(value);
    }
  }
  return out;
}

const codesOf = (text = "") => text.split(",").map((s) => s.trim()).filter(Boolean);

/** A number field's text: empty is absent, digits a number, anything else left for zod to refuse. */
function numberOf(text: string | undefined, empty: null | undefined) {
  const t = (text ?? "").trim();
  if (t === "") return empty;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** The form's text read back into a settings document, for LoyaltySettingsSchema to judge. */
function fromForm(form: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = { wholesale: {} };
  for (const key of Object.keys(KIND) as Key[]) {
    const text = form[key];
    let value: unknown;
    switch (KIND[key]) {
      case "names":
        value = [0, 1, 2, 3, 4].map((i) => form[`categoryNames.${i}`] ?? "");
        break;
      case "check":
        value = text !== undefined;
        break;
      case "codes":
        value = codesOf(text);
        break;
      case "count":
      case "level":
        value = numberOf(text, undefined);
        break;
      case "optionalNumber":
        value = numberOf(text, null);
        break;
      default:
        value = text ?? "";
    }
    if (key.startsWith("wholesale.")) {
      (out.wholesale as Record<string, unknown>)[key.slice(10)] = value;
    } else out[key] = value;
  }
  return out;
}

/** The messages for one field; an error on a list entry says which entry. */
function messagesFor(key: string, errors: FieldError[], form: FormValues): string[] {
  return errors.filter((e) => e.field === key || e.field.startsWith(key + ".")).map((e) => {
    if (e.field === key) return e.message;
    const index = Number(e.field.slice(key.length + 1));
    const entry = codesOf(form[key])[index];
    return entry ? `${entry.toUpperCase()}: ${e.message}` : e.message;
  });
}

interface FieldProps {
  name: string;
  label: string;
  help?: string;
  form: FormValues;
  errors: FieldError[];
  readOnly: boolean;
}

function Messages({ id, messages }: { id: string; messages: string[] }) {
  if (!messages.length) return null;
  return <span id={id} class="field-error">{messages.join("; ")}</span>;
}

function Input({ name, label, help, form, errors, readOnly, kind }: FieldProps & { kind: Kind }) {
  const messages = messagesFor(name, errors, form);
  const ids = { help: `${name}-help`, error: `${name}-error` };
  const describedBy = [help && ids.help, messages.length && ids.error].filter(Boolean).join(" ");
  const common = {
    name,
    disabled: readOnly,
    "aria-invalid": messages.length ? "true" as const : undefined,
    "aria-describedby": describedBy || undefined,
  };
  const hint = help && <span id={ids.help} class="hint">{help}</span>;
  if (kind === "check") {
    return (
      <div class="setting">
        <label class="check">
          <input type="checkbox" {...common} checked={form[name] !== undefined} />
          {label}
        </label>
        {hint}
        <Messages id={ids.error} messages={messages} />
      </div>
    );
  }
  let control;
  if (kind === "rounding") {
    control = (
      <select {...common}>
        {ROUNDING_MODES.map((m) => (
          <option value={m} selected={form[name] === m}>{ROUNDING_LABELS[m]}</option>
        ))}
      </select>
    );
  } else if (kind === "level") {
    control = (
      <select {...common}>
        {["1", "2", "3", "4", "5"].map((l) => (
          <option value={l} selected={form[name] === l}>Sell price {l}</option>
        ))}
      </select>
    );
  } else {
    const numeric = kind === "count" || kind === "optionalNumber";
    control = (
      <input
        {...common}
        type="text"
        inputMode={numeric ? "numeric" : undefined}
        value={form[name] ?? ""}
        class={numeric ? "number" : kind === "codes" ? "wide" : undefined}
      />
    );
  }
  return (
    <div class="setting">
      <label>
        {label}
        {control}
      </label>
      {hint}
      <Messages id={ids.error} messages={messages} />
    </div>
  );
}

function Setting(
  { k, form, errors, readOnly }: {
    k: Key;
    form: FormValues;
    errors: FieldError[];
    readOnly: boolean;
  },
) {
  const { label, help } = SETTING_TEXT[k];
  if (KIND[k] !== "names") {
    return (
      <Input
        name={k}
        label={label}
        help={help}
        form={form}
        errors={errors}
        readOnly={readOnly}
        kind={KIND[k]}
      />
    );
  }
  return (
    <fieldset class="names">
      <legend>{label}</legend>
      <span class="hint">{help}</span>
      <div class="row">
        {CATEGORY_LABELS.map((l, i) => (
          <Input
            name={`categoryNames.${i}`}
            label={l}
            form={form}
            errors={errors}
            readOnly={readOnly}
            kind="text"
          />
        ))}
      </div>
    </fieldset>
  );
}

interface View {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  group: MerchantGroup;
  current: SettingsVersion;
  canManage: boolean;
  /** What the user sent, when it comes back with errors or a conflict. */
  form?: FormValues;
  errors?: FieldError[];
  staleAt?: number;
}

const groupLabel = (v: View, g: MerchantGroup) =>
  new Set(v.groups.map((x) => x.org_id)).size > 1
    ? `${v.orgNames.get(g.org_id) ?? "?"} · ${g.name}`
    : g.name;

function SettingsPage(props: { view: View; csrf?: string }) {
  const { view, csrf } = props;
  const { group, current, canManage, staleAt } = view;
  const errors = view.errors ?? [];
  const form = view.form ?? toForm(current.settings);
  const version = view.form ? form.version : String(current.version);
  const reload = `/console/settings?group=${group.id}`;
  return (
    <>
      {view.groups.length > 1 && (
        <form method="get" action="/console/settings" class="row chooser">
          <label>
            Merchant group
            <select name="group">
              {view.groups.map((g) => (
                <option value={g.id} selected={g.id === group.id}>{groupLabel(view, g)}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary">Show</button>
        </form>
      )}
      <p class="intro">
        <strong>{groupLabel(view, group)}</strong> · version {current.version}, saved{" "}
        <time datetime={current.updatedAt.toISOString()}>{when(current.updatedAt)}</time> ·{" "}
        <a href={`/console/audit?entity=loyalty-settings&entityId=${group.id}`}>history</a>
      </p>
      {!canManage && (
        <p class="flash" role="status">
          Your role can read these settings but not change them.
        </p>
      )}
      {staleAt !== undefined && (
        <div class="flash error" role="alert">
          <p>
            Someone saved these settings after you opened this page (they are now at version{" "}
            {staleAt}), so your changes were not saved.
          </p>
          <p>
            <a href={reload}>Reload the current settings</a>, then make your changes again.
          </p>
        </div>
      )}
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was saved: correct the fields marked below.
        </p>
      )}
      <form method="post" action={`/console/settings/${group.id}`} class="settings-form">
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="version" value={version} />
        {GROUPS.map((g) => (
          <fieldset class="card">
            <legend>{g.title}</legend>
            <p class="hint">{g.intro}</p>
            {g.keys.map((k) => (
              <Setting key={k} k={k} form={form} errors={errors} readOnly={!canManage} />
            ))}
          </fieldset>
        ))}
        {canManage && <button type="submit">Save settings</button>}
      </form>
    </>
  );
}

/** Everything the page shows besides the settings: the groups to choose from and the role. */
async function loadView(c: Context<AppEnv>, group: MerchantGroup) {
  const { db } = c.var.deps;
  const staff = c.var.staff!;
  const orgIds = await visibleOrgIds(db, staff);
  const [groups, orgs, role, current] = await Promise.all([
    listGroups(db, { orgIds, limit: 500 }),
    listOrganizations(db, orgIds),
    roleIn(db, staff, group.org_id),
    getSettings(db, group),
  ]);
  return {
    groups,
    orgNames: new Map(orgs.map((o) => [o.id, o.name])),
    group,
    current,
    canManage: role !== null && can(role, "settings:manage"),
  };
}

function render(c: Context<AppEnv>, view: View, status: 200 | 409 | 422 = 200) {
  return renderPage(c, {
    title: "Loyalty settings",
    body: <SettingsPage view={view} csrf={c.var.session?.csrfToken} />,
  }, status);
}

/** The settings form: plain HTML, saved with the version it was loaded at. */
export const settingsPages = new Hono<AppEnv>()
  .get("/console/settings", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const staff = c.var.staff!;
    const chosen = c.req.query("group");
    const group = chosen
      ? await authorizeGroup(db, staff, chosen, "programme:read")
      : (await listGroups(db, { orgIds: await visibleOrgIds(db, staff), limit: 1 }))[0];
    if (!group) {
      return renderPage(c, {
        title: "Loyalty settings",
        body: (
          <section class="card">
            <p>
              There is no merchant group yet. Settings belong to a merchant group (a loyalty
              programme): create one first.
            </p>
          </section>
        ),
      });
    }
    return render(c, await loadView(c, group));
  })
  .post("/console/settings/:groupId", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const group = await authorizeGroup(db, c.var.staff!, c.req.param("groupId"), "settings:manage");
    const form = await formText(c);
    const parsed = LoyaltySettingsSchema.safeParse(fromForm(form));
    if (!parsed.success) {
      return render(
        c,
        { ...await loadView(c, group), form, errors: zodFieldErrors(parsed.error) },
        422,
      );
    }
    try {
      const saved = await saveSettings(
        db,
        group,
        { version: Number(form.version), settings: parsed.data },
        c.var.staff!,
      );
      setFlash(c, {
        kind: "info",
        message: saved.changed
          ? `Settings saved: now at version ${saved.version}.`
          : `Nothing changed: the settings are still at version ${saved.version}.`,
      });
      return c.redirect(`/console/settings?group=${group.id}`, 303);
    } catch (err) {
      if (!(err instanceof ProblemError) || err.slug !== "stale-version") throw err;
      const view = await loadView(c, group);
      return render(c, { ...view, form, staleAt: view.current.version }, 409);
    }
  });
