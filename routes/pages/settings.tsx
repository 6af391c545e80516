import { authorized } from "../../auth/authorize.ts";
import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { GroupChooser, groupLabel } from "../../components/GroupChooser.tsx";
import { codesOf, KIND, type SettingKey } from "../../components/settings/SettingField.tsx";
import { SettingsForm } from "../../components/settings/SettingsForm.tsx";
import { confirmed, ConfirmStep } from "../../components/ConfirmStep.tsx";
import { settingsImpact } from "../../programme/settings_impact.ts";
import type { VNode } from "preact";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupTimeZone } from "../../programme/merchants.ts";
import { getSettings, saveSettings, type SettingsVersion } from "../../programme/settings.ts";
import { type LoyaltySettings, LoyaltySettingsSchema } from "../../programme/settings_schema.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { formText } from "../../web/form.ts";

type FormValues = Record<string, string>;

function valueAt(settings: LoyaltySettings, key: SettingKey): unknown {
  return key.startsWith("wholesale.")
    ? settings.wholesale[key.slice(10) as keyof LoyaltySettings["wholesale"]]
    : settings[key as Exclude<SettingKey, `wholesale.${string}`>];
}

/** The settings as the form's text fields hold them. */
function toForm(settings: LoyaltySettings): FormValues {
  const out: FormValues = {};
  for (const key of Object.keys(KIND) as SettingKey[]) {
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

/** A number field's text: empty is absent, digits a number, anything else left for zod to refuse. */
function numberOf(text: string | undefined, empty: null | undefined) {
  const t = (text ?? "").trim();
  if (t === "") return empty;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** The form's text read back into a settings document, for LoyaltySettingsSchema to judge. */
function fromForm(form: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = { wholesale: {} };
  for (const key of Object.keys(KIND) as SettingKey[]) {
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

interface View {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  group: MerchantGroup;
  current: SettingsVersion;
  canManage: boolean;
  /** The programme's clock. */
  timeZone: string;
  /** What the user sent, when it comes back with errors or a conflict. */
  form?: FormValues;
  errors?: FieldError[];
  staleAt?: number;
  /** A confirmation the save asks for first, shown above the form. */
  confirm?: VNode;
}

/** Everything the page shows besides the settings: the groups to choose from and the role. */
async function loadView(c: Context<AppEnv>, group: MerchantGroup) {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const orgIds = await visibleOrgIds(db, staff);
  const [groups, orgs, role, current, timeZone] = await Promise.all([
    listGroups(db, { orgIds, limit: 500 }),
    listOrganizations(db, orgIds),
    roleIn(db, staff, group.org_id),
    getSettings(db, group),
    groupTimeZone(db, group),
  ]);
  return {
    groups,
    orgNames: new Map(orgs.map((o) => [o.id, o.name])),
    group,
    current,
    canManage: role !== null && can(role, "settings:manage"),
    timeZone,
  };
}

function render(c: Context<AppEnv>, view: View, status: 200 | 409 | 422 = 200) {
  return renderPage(c, {
    title: "Loyalty settings",
    body: (
      <>
        {view.groups.length > 1 && (
          <GroupChooser
            action="/console/settings"
            class="row chooser"
            groups={view.groups}
            current={view.group}
            orgNames={view.orgNames}
          />
        )}
        <p>
          <a href={`/console/settings/email?group=${view.group.id}`}>New member email</a>: the
          welcome email's template, preview and outbox.
        </p>
        {view.confirm}
        <SettingsForm
          group={view.group}
          groupName={groupLabel(view.groups, view.orgNames, view.group)}
          current={view.current}
          canManage={view.canManage}
          timeZone={view.timeZone}
          form={view.form ?? toForm(view.current.settings)}
          version={view.form ? view.form.version : String(view.current.version)}
          errors={view.errors ?? []}
          staleAt={view.staleAt}
          csrf={c.get("session")?.csrfToken}
        />
      </>
    ),
  }, status);
}

/** The settings form: plain HTML, saved with the version it was loaded at. */
export const settingsPages = new Hono<AppEnv>()
  .get("/console/settings", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const chosen = c.req.query("group");
    const group = chosen
      ? await authorized(c, "merchant group", "programme:read", chosen)
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
    const { db } = c.get("deps");
    const group = await authorized(c, "merchant group", "settings:manage", c.req.param("groupId"));
    const form = await formText(c);
    const parsed = LoyaltySettingsSchema.safeParse(fromForm(form));
    if (!parsed.success) {
      return render(
        c,
        { ...await loadView(c, group), form, errors: zodFieldErrors(parsed.error) },
        422,
      );
    }
    if (!confirmed(form)) {
      const view = await loadView(c, group);
      const impact = await settingsImpact(db, group, view.current.settings, parsed.data);
      if (impact.membersLeaving > 0) {
        const n = impact.membersLeaving;
        const members = `${n} member${n === 1 ? "" : "s"}`;
        return render(c, {
          ...view,
          form,
          confirm: (
            <ConfirmStep
              title={`Saving makes ${members} non-members`}
              action={`/console/settings/${group.id}`}
              form={form}
              confirmLabel={`Save: ${members} become non-members`}
              backHref="#settings-form"
              csrf={c.get("session")?.csrfToken}
            >
              <p>
                <span data-figure="members-leaving">{n}</span>{" "}
                {n === 1 ? "customer is" : "customers are"}{" "}
                a member now with a customer type these settings make non-loyalty ({impact
                  .typesLeaving.join(", ")}): they stop earning points from their next sale.
                {impact.membersJoining > 0 &&
                  ` ${impact.membersJoining} non-members become members.`}
              </p>
            </ConfirmStep>
          ),
        });
      }
    }
    try {
      const saved = await saveSettings(
        db,
        group,
        { version: Number(form.version), settings: parsed.data },
        c.get("staff")!,
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
