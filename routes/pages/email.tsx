import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { GroupChooser } from "../../components/GroupChooser.tsx";
import { listOutbox, type OutboxCounts, outboxCounts, retryEmail } from "../../email/outbox.ts";
import {
  type EmailTemplate,
  EmailTemplateSchema,
  getTemplate,
  PLACEHOLDERS,
  renderEmail,
  SAMPLE_MEMBER,
  saveTemplate,
  type TemplateVersion,
} from "../../email/template.ts";
import { sendTestEmail } from "../../email/test_send.ts";
import type { EmailStatus } from "../../db/schema.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import type { AppEnv } from "../../http/env.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupTimeZone } from "../../programme/merchants.ts";
import { getSettings } from "../../programme/settings.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { formText } from "../../web/form.ts";
import { when } from "../../web/format.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import type { Flash } from "../../components/Layout.tsx";

const PATH = "/console/settings/email";
const TITLE = "New member email";
const OUTBOX_PAGE = 50;

const STATUS_LABELS: Record<EmailStatus, string> = {
  pending: "Pending",
  sent: "Sent",
  logged: "Logged (no SMTP)",
  failed: "Failed",
  skipped: "Skipped (no email)",
};

interface View {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  group: MerchantGroup;
  enabled: boolean;
  current: TemplateVersion;
  counts: OutboxCounts;
  outbox: Awaited<ReturnType<typeof listOutbox>>;
  status?: EmailStatus;
  canManage: boolean;
  /** The programme's clock. */
  timeZone: string;
  /** What the user sent, when the page comes back with it (preview, test, errors). */
  form?: Record<string, string>;
  errors?: FieldError[];
  staleAt?: number;
  flash?: Flash;
}

async function loadView(c: Context<AppEnv>, group: MerchantGroup, status?: EmailStatus) {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const orgIds = await visibleOrgIds(db, staff);
  const [groups, orgs, role, settings, current, counts, outbox, timeZone] = await Promise.all([
    listGroups(db, { orgIds, limit: 500 }),
    listOrganizations(db, orgIds),
    roleIn(db, staff, group.org_id),
    getSettings(db, group),
    getTemplate(db, group),
    outboxCounts(db, group),
    listOutbox(db, group, { status, limit: OUTBOX_PAGE }),
    groupTimeZone(db, group),
  ]);
  return {
    groups,
    orgNames: new Map(orgs.map((o) => [o.id, o.name])),
    group,
    enabled: settings.settings.sendNewMemberEmail,
    current,
    counts,
    outbox,
    status,
    canManage: role !== null && can(role, "settings:manage"),
    timeZone,
  };
}

const toForm = (t: EmailTemplate) => ({ subject: t.subject, text: t.text, html: t.html });

function TemplateField(
  { label, name, form, errors, rows, readOnly }: {
    label: string;
    name: "subject" | "text" | "html";
    form: Record<string, string>;
    errors: FieldError[];
    rows?: number;
    readOnly: boolean;
  },
) {
  const error = errors.find((e) => e.field === name)?.message;
  const common = {
    name,
    required: true,
    readOnly,
    "aria-invalid": error ? "true" as const : undefined,
    "aria-describedby": error ? `${name}-error` : undefined,
  };
  return (
    <label class="wide">
      {label}
      {rows
        ? <textarea {...common} rows={rows} class="wide">{form[name] ?? ""}</textarea>
        : <input {...common} class="wide" value={form[name] ?? ""} />}
      {error && <span id={`${name}-error`} class="field-error">{error}</span>}
    </label>
  );
}

/** The form's template rendered with the sample member; nothing when the form is not valid. */
function Preview({ form }: { form: Record<string, string> }) {
  const parsed = EmailTemplateSchema.safeParse(toForm(form as EmailTemplate));
  if (!parsed.success) return <p class="muted">Correct the template to see its preview.</p>;
  const email = renderEmail(parsed.data, SAMPLE_MEMBER);
  return (
    <div class="email-preview" data-testid="email-preview">
      <p>
        <span class="muted">Subject:</span> <strong class="preview-subject">{email.subject}</strong>
      </p>
      <h3>HTML</h3>
      {/* Sandboxed without scripts: the template's HTML cannot act in the console. */}
      <iframe title="HTML preview" sandbox="" srcdoc={email.html} class="preview-html" />
      <h3>Text</h3>
      <pre class="preview-text">{email.text}</pre>
    </div>
  );
}

function Outbox({ view, csrf }: { view: View; csrf?: string }) {
  const { group, status, outbox, canManage } = view;
  return (
    <section class="card">
      <h2>Outbox</h2>
      <form method="get" action={PATH} class="row">
        <input type="hidden" name="group" value={group.id} />
        <label>
          Show
          <select name="status">
            <option value="">All, newest first</option>
            {(Object.keys(STATUS_LABELS) as EmailStatus[]).map((s) => (
              <option value={s} selected={s === status}>{STATUS_LABELS[s]}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">Show</button>
      </form>
      {outbox.length === 0
        ? <p class="muted">No emails{status ? ` ${STATUS_LABELS[status].toLowerCase()}` : ""}.</p>
        : (
          <div class="table-scroll">
            <table class="outbox">
              <thead>
                <tr>
                  <th>Member</th>
                  <th>To</th>
                  <th>Status</th>
                  <th>Attempts</th>
                  <th>Queued</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {outbox.map(({ row, member, attempts }) => (
                  <tr data-status={row.status}>
                    <td>
                      {member.name} <span class="muted">{member.number}</span>
                    </td>
                    <td>{row.to_address ?? <span class="muted">no email</span>}</td>
                    <td>
                      {STATUS_LABELS[row.status]}
                      {row.status === "pending" && attempts.length > 0 && (
                        <span class="hint">
                          next try {when(row.next_attempt_at, view.timeZone)}
                        </span>
                      )}
                    </td>
                    <td>
                      {attempts.length === 0
                        ? <span class="muted">none</span>
                        : (
                          <ol class="attempts">
                            {attempts.map((a) => (
                              <li>
                                {when(a.at, view.timeZone)}: {a.outcome}{" "}
                                <span class="muted">{a.detail}</span>
                              </li>
                            ))}
                          </ol>
                        )}
                    </td>
                    <td>{when(row.created_at, view.timeZone)}</td>
                    <td>
                      {row.status === "failed" && canManage && (
                        <form method="post" action={`${PATH}/${group.id}/retry/${row.id}`}>
                          <input type="hidden" name="_csrf" value={csrf} />
                          <button type="submit" class="small">Retry</button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function render(c: Context<AppEnv>, view: View, status: 200 | 409 | 422 = 200) {
  const csrf = c.get("session")?.csrfToken;
  const { group, counts, current, canManage } = view;
  const form: Record<string, string> = view.form ?? toForm(current.template);
  const errors = view.errors ?? [];
  const placeholders = PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ");
  return renderPage(c, {
    title: TITLE,
    flash: view.flash,
    body: (
      <>
        {view.groups.length > 1 && (
          <GroupChooser
            action={PATH}
            class="row chooser"
            groups={view.groups}
            current={group}
            orgNames={view.orgNames}
          />
        )}
        <p class="intro">
          The welcome email each new loyalty member of {group.name}{" "}
          gets, from the console, the POS or an automatic card. {view.enabled
            ? <strong>Sending is on.</strong>
            : <strong>Sending is off: nothing is queued.</strong>} Switch it with{" "}
          <em>Send Loyalty New Member Email</em> in{" "}
          <a href={`/console/settings?group=${group.id}`}>Settings</a>.
        </p>
        <p class="counts" data-testid="email-counts">
          {(Object.keys(STATUS_LABELS) as EmailStatus[]).map((s) => (
            <span class="count">
              {STATUS_LABELS[s]}: <strong>{counts[s]}</strong>
              {" "}
            </span>
          ))}
        </p>
        {view.staleAt !== undefined && (
          <p class="flash error" role="alert">
            Someone saved the template (now version{" "}
            {view.staleAt}) after you loaded it. Your text is below; the saved one is at version
            {" "}
            {view.staleAt}. Save again to replace it.
          </p>
        )}
        <form method="post" action={`${PATH}/${group.id}`} class="card email-template">
          <input type="hidden" name="_csrf" value={csrf} />
          <input
            type="hidden"
            name="version"
            value={view.staleAt !== undefined ? String(view.staleAt) : (form.version ??
              String(current.version))}
          />
          <h2>Template {current.isDefault && <span class="muted">(built-in)</span>}</h2>
          <p class="hint">Placeholders: {placeholders}. In the HTML they are escaped.</p>
          <TemplateField
            label="Subject"
            name="subject"
            form={form}
            errors={errors}
            readOnly={!canManage}
          />
          <TemplateField
            label="Text"
            name="text"
            form={form}
            errors={errors}
            rows={8}
            readOnly={!canManage}
          />
          <TemplateField
            label="HTML"
            name="html"
            form={form}
            errors={errors}
            rows={10}
            readOnly={!canManage}
          />
          <div class="toolbar">
            <button type="submit" name="action" value="preview" class="secondary">
              Preview
            </button>
            {canManage && <button type="submit" name="action" value="save">Save template</button>}
            {canManage && (
              <button type="submit" name="action" value="test" class="secondary">
                Send me a test
              </button>
            )}
          </div>
        </form>
        <section class="card">
          <h2>Preview</h2>
          <p class="hint">
            With a sample member: {SAMPLE_MEMBER.name}, customer and card number{" "}
            {SAMPLE_MEMBER.customerNumber}.
          </p>
          <Preview form={form} />
        </section>
        <Outbox view={view} csrf={csrf} />
      </>
    ),
  }, status);
}

const statusQuery = (s: string | undefined) =>
  s && s in STATUS_LABELS ? s as EmailStatus : undefined;

/** The new member email under Settings: template, preview, test, and the outbox. */
export const emailPages = new Hono<AppEnv>()
  .get(PATH, requireStaff, async (c) => {
    const { db } = c.get("deps");
    const staff = c.get("staff")!;
    const chosen = c.req.query("group");
    const group = chosen
      ? await authorized(c, "merchant group", "programme:read", chosen)
      : (await listGroups(db, { orgIds: await visibleOrgIds(db, staff), limit: 1 }))[0];
    if (!group) {
      return renderPage(c, {
        title: TITLE,
        body: (
          <section class="card">
            <p>There is no merchant group yet: the email belongs to a loyalty programme.</p>
          </section>
        ),
      });
    }
    return render(c, await loadView(c, group, statusQuery(c.req.query("status"))));
  })
  .post(`${PATH}/:groupId`, requireStaff, async (c) => {
    const { db, mailer } = c.get("deps");
    const form = await formText(c);
    const previewing = form.action === "preview";
    const group = await authorized(
      c,
      "merchant group",
      previewing ? "programme:read" : "settings:manage",
      c.req.param("groupId"),
    );
    const parsed = EmailTemplateSchema.safeParse(toForm(form as EmailTemplate));
    if (!parsed.success) {
      return render(
        c,
        { ...await loadView(c, group), form, errors: zodFieldErrors(parsed.error) },
        422,
      );
    }
    if (previewing) return render(c, { ...await loadView(c, group), form });
    const staff = c.get("staff")!;
    if (form.action === "test") {
      let flash: Flash;
      try {
        const sent = await sendTestEmail(db, mailer!, group, parsed.data, staff);
        flash = {
          kind: "info",
          message: sent.via === "smtp"
            ? `Test email sent to ${sent.to}.`
            : `No SMTP server is configured: the test email to ${sent.to} was written to the log.`,
        };
      } catch (err) {
        if (!(err instanceof ProblemError) || err.slug !== "email-not-sent") throw err;
        flash = { kind: "error", message: `The test email was not sent: ${err.extra.detail}` };
      }
      // The page comes back with the edits, saved or not.
      return render(c, { ...await loadView(c, group), form, flash });
    }
    try {
      const saved = await saveTemplate(
        db,
        group,
        { version: Number(form.version), template: parsed.data },
        staff,
      );
      setFlash(c, {
        kind: "info",
        message: saved.changed
          ? `Template saved: now at version ${saved.version}.`
          : "Nothing changed in the template.",
      });
      return c.redirect(`${PATH}?group=${group.id}`, 303);
    } catch (err) {
      if (!(err instanceof ProblemError) || err.slug !== "stale-version") throw err;
      const view = await loadView(c, group);
      return render(c, { ...view, form, staleAt: view.current.version }, 409);
    }
  })
  .post(`${PATH}/:groupId/retry/:id`, requireStaff, async (c) => {
    const { db } = c.get("deps");
    const group = await authorized(c, "merchant group", "settings:manage", c.req.param("groupId"));
    await retryEmail(db, group, c.req.param("id"), c.get("staff")!);
    setFlash(c, { kind: "info", message: "The email is queued again." });
    return c.redirect(`${PATH}?group=${group.id}&status=failed`, 303);
  });
