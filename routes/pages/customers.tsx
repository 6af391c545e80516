import { type Context, Hono } from "hono";
import { authorizeOrg, roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, notFound, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { page } from "../../http/pagination.ts";
import { AccountTypeSchema, openAccount } from "../../members/accounts.ts";
import {
  createCustomer,
  type Customer,
  type CustomerDetail,
  customerDetail,
  type CustomerHit,
  getCustomer,
  namedCategories,
  NewCustomerSchema,
  searchCustomers,
  statusOf,
} from "../../members/customers.ts";
import {
  authorizeGroup,
  getGroup,
  listGroups,
  type MerchantGroup,
} from "../../programme/groups.ts";
import { getSettings } from "../../programme/settings.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { decodeCursor } from "../../http/pagination.ts";
import { formText } from "../../web/form.ts";

const PAGE_SIZE = 25;
const CATEGORY_FIELDS = ["category1", "category2", "category3", "category4", "category5"];

type FormValues = Record<string, string>;

/** A labelled text input with its error tied to it; optional unless `required`. */
function TextField(
  { label, name, form, errors, hint, required, inputMode }: {
    label: string;
    name: string;
    form: FormValues;
    errors: FieldError[];
    hint?: string;
    required?: boolean;
    inputMode?: "numeric" | "email" | "tel";
  },
) {
  const error = errors.find((e) => e.field === name)?.message;
  return (
    <label>
      {label}
      <input
        name={name}
        type={inputMode === "email" ? "email" : inputMode === "tel" ? "tel" : "text"}
        inputMode={inputMode}
        value={form[name] ?? ""}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
      />
      {hint && !error && <span class="hint">{hint}</span>}
      {error && <span id={`${name}-error`} class="field-error">{error}</span>}
    </label>
  );
}

/** The API's field names as the form's: `categories.i` is the input `category{i+1}`. */
function formErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => {
    const m = /^categories(?:\.(\d+))?/.exec(e.field);
    return m ? { ...e, field: `category${Number(m[1] ?? 0) + 1}` } : e;
  });
}

/** The form's text read back into a new-customer body, for NewCustomerSchema to judge. */
function fromForm(form: FormValues) {
  const text = (k: string) => (form[k] ?? "").trim() || undefined;
  const store = text("homeStoreNumber");
  const categories = CATEGORY_FIELDS.map((k) => text(k) ?? null);
  while (categories.length > 1 && categories[categories.length - 1] === null) categories.pop();
  return {
    number: text("number"),
    name: form.name ?? "",
    email: text("email"),
    phone: text("phone"),
    homeStoreNumber: store === undefined ? undefined : /^\d+$/.test(store) ? Number(store) : store,
    categories: categories[0] === null && categories.length === 1 ? [] : categories,
  };
}

function StatusBadge({ customer, settings }: { customer: Customer; settings: LoyaltySettings }) {
  const { member, staff } = statusOf(customer, settings);
  if (staff) return <span class="badge">staff</span>;
  return member
    ? <span class="badge">member</span>
    : <span class="badge disabled">non-member</span>;
}

interface ListView {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  group: MerchantGroup;
  settings: LoyaltySettings;
  canManage: boolean;
  q: string;
  hits: CustomerHit[];
  nextCursor: string | null;
  form?: FormValues;
  errors?: FieldError[];
}

const groupLabel = (v: Pick<ListView, "groups" | "orgNames">, g: MerchantGroup) =>
  new Set(v.groups.map((x) => x.org_id)).size > 1
    ? `${v.orgNames.get(g.org_id) ?? "?"} · ${g.name}`
    : g.name;

function CustomersPage({ view, csrf }: { view: ListView; csrf?: string }) {
  const { group, settings, q, hits } = view;
  const errors = view.errors ?? [];
  const form = view.form ?? {};
  const base = `/console/customers?group=${group.id}`;
  return (
    <>
      <form method="get" action="/console/customers" class="row">
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
      <section class="card">
        <form method="get" action="/console/customers" class="row" role="search">
          <input type="hidden" name="group" value={group.id} />
          <label class="wide">
            Find a customer
            <input
              name="q"
              type="search"
              value={q}
              maxLength={200}
              aria-describedby="q-hint"
            />
            <span id="q-hint" class="hint">
              Customer number, card number, email or phone (exact), or the start of the name.
            </span>
          </label>
          <button type="submit">Search</button>
        </form>
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Name</th>
              <th>Email</th>
              <th>Phone</th>
              <th>{settings.categoryNames[0] || "Category 1"}</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr>
                <td>
                  <a href={`/console/customers/${h.id}`}>{h.number}</a>
                </td>
                <td>{h.name}</td>
                <td>{h.email}</td>
                <td>{h.phone}</td>
                <td>{h.categories[0]}</td>
                <td>
                  <StatusBadge customer={h} settings={settings} />
                </td>
              </tr>
            ))}
            {hits.length === 0 && (
              <tr>
                <td colSpan={6}>{q ? "No customer matches." : "No customers yet."}</td>
              </tr>
            )}
          </tbody>
        </table>
        {view.nextCursor && (
          <p>
            <a
              href={`${base}&q=${encodeURIComponent(q)}&cursor=${view.nextCursor}`}
              rel="next"
            >
              Next {PAGE_SIZE} →
            </a>
          </p>
        )}
      </section>
      {view.canManage && (
        <section class="card" id="new">
          <h2>New customer</h2>
          {errors.length > 0 && (
            <p class="flash error" role="alert">
              Nothing was created: correct the fields marked below.
            </p>
          )}
          <form method="post" action={`${base}#new`}>
            <input type="hidden" name="_csrf" value={csrf} />
            <div class="row">
              <TextField
                label="Name"
                name="name"
                form={form}
                errors={errors}
                required
              />
              <TextField
                label="Customer number"
                name="number"
                form={form}
                errors={errors}
                hint="leave empty to generate one"
              />
              <TextField
                label="Email"
                name="email"
                form={form}
                errors={errors}
                inputMode="email"
              />
              <TextField label="Phone" name="phone" form={form} errors={errors} inputMode="tel" />
              <TextField
                label="Home store number"
                name="homeStoreNumber"
                form={form}
                errors={errors}
                inputMode="numeric"
              />
            </div>
            <div class="row">
              {CATEGORY_FIELDS.map((name, i) => (
                <TextField
                  label={settings.categoryNames[i] || `Category ${i + 1}`}
                  name={name}
                  form={form}
                  errors={errors}
                  required={i === 0}
                  hint={i === 0 ? "code of the customer type" : "code"}
                />
              ))}
            </div>
            <button type="submit">Create customer</button>
          </form>
        </section>
      )}
    </>
  );
}

function DetailPage(
  { detail, settings, group, canManage, csrf }: {
    detail: CustomerDetail;
    settings: LoyaltySettings;
    group: MerchantGroup;
    canManage: boolean;
    csrf?: string;
  },
) {
  const c = detail.customer;
  const named = namedCategories(c, settings);
  return (
    <>
      <p class="intro">
        <a href={`/console/customers?group=${group.id}`}>← Customers of {group.name}</a>
      </p>
      <section class="card">
        <table>
          <tbody>
            <tr>
              <th>Customer number</th>
              <td>{c.number}</td>
            </tr>
            <tr>
              <th>Email</th>
              <td>{c.email ?? "—"}</td>
            </tr>
            <tr>
              <th>Phone</th>
              <td>{c.phone ?? "—"}</td>
            </tr>
            <tr>
              <th>Home store</th>
              <td>{detail.homeStoreNumber ?? "—"}</td>
            </tr>
            <tr>
              <th>Status</th>
              <td>
                <StatusBadge customer={c} settings={settings} />
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Categories</h2>
        <table>
          <thead>
            <tr>
              <th>Category</th>
              <th>Code</th>
            </tr>
          </thead>
          <tbody>
            {named.map((cat, i) => (
              <tr>
                <td>{cat.name || `Category ${i + 1}`}</td>
                <td>{cat.code ?? <span class="muted">not set</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Accounts</h2>
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Opened</th>
            </tr>
          </thead>
          <tbody>
            {detail.accounts.map((a) => (
              <tr>
                <td>{a.type}</td>
                <td>{new Date(a.created_at).toISOString().slice(0, 10)}</td>
              </tr>
            ))}
            {detail.accounts.length === 0 && (
              <tr>
                <td colSpan={2}>No accounts.</td>
              </tr>
            )}
          </tbody>
        </table>
        {canManage && (
          <form method="post" action={`/console/customers/${c.id}/accounts`} class="row">
            <input type="hidden" name="_csrf" value={csrf} />
            <label>
              Account type
              <input name="type" maxLength={20} placeholder={settings.defaultAccountType} />
              <span class="hint">
                empty: the default type, {settings.defaultAccountType}
                {settings.maxAccountsPerCustomer > 0 &&
                  ` (at most ${settings.maxAccountsPerCustomer} accounts per customer)`}
              </span>
            </label>
            <button type="submit">Open account</button>
          </form>
        )}
      </section>
      <section class="card">
        <h2>Loyalty cards</h2>
        <table>
          <thead>
            <tr>
              <th>Number</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {detail.cards.map((card) => (
              <tr>
                <td>{card.number}</td>
                <td>
                  <span class={`badge ${card.status === "active" ? "" : "disabled"}`}>
                    {card.status}
                  </span>
                </td>
              </tr>
            ))}
            {detail.cards.length === 0 && (
              <tr>
                <td colSpan={2}>No loyalty card.</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}

async function canDo(c: Context<AppEnv>, orgId: string, permission: "customers:manage") {
  const role = await roleIn(c.var.deps.db, c.var.staff!, orgId);
  return role !== null && can(role, permission);
}

/** The list page for `group` (or the caller's first group): search results and the form. */
async function listView(
  c: Context<AppEnv>,
  groupId: string | undefined,
): Promise<ListView | null> {
  const { db } = c.var.deps;
  const staff = c.var.staff!;
  const orgIds = await visibleOrgIds(db, staff);
  const groups = await listGroups(db, { orgIds, limit: 500 });
  const group = groupId ? await authorizeGroup(db, staff, groupId, "programme:read") : groups[0];
  if (!group) return null;
  const q = (c.req.query("q") ?? "").slice(0, 200);
  const [orgs, { settings }, canManage, rows] = await Promise.all([
    listOrganizations(db, orgIds),
    getSettings(db, group),
    canDo(c, group.org_id, "customers:manage"),
    searchCustomers(db, group, {
      q,
      limit: PAGE_SIZE + 1,
      after: decodeCursor(c.req.query("cursor") || undefined, ["text", "id"]) as
        | [string, string]
        | undefined,
    }),
  ]);
  const result = page(rows, PAGE_SIZE, (r) => [r.sort_key, r.id]);
  return {
    groups,
    orgNames: new Map(orgs.map((o) => [o.id, o.name])),
    group,
    settings,
    canManage,
    q,
    hits: result.items,
    nextCursor: result.nextCursor,
  };
}

function renderList(c: Context<AppEnv>, view: ListView | null, status: 200 | 409 | 422 = 200) {
  return renderPage(c, {
    title: "Customers",
    body: view
      ? <CustomersPage view={view} csrf={c.var.session?.csrfToken} />
      : (
        <section class="card">
          <p>
            There is no merchant group yet. Customers belong to a merchant group (a loyalty
            programme): create one first.
          </p>
        </section>
      ),
  }, status);
}

/** Customers without JavaScript: search, detail, a create form and an open-account form. */
export const customerPages = new Hono<AppEnv>()
  .get("/console/customers", requireStaff, async (c) => {
    return renderList(c, await listView(c, c.req.query("group") || undefined));
  })
  .post("/console/customers", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const group = await authorizeGroup(
      db,
      c.var.staff!,
      c.req.query("group") ?? "",
      "customers:manage",
    );
    const form = await formText(c);
    const parsed = NewCustomerSchema.safeParse(fromForm(form));
    let errors: FieldError[];
    let status: 409 | 422 = 422;
    if (parsed.success) {
      try {
        const { settings } = await getSettings(db, group);
        const detail = await createCustomer(db, group, parsed.data, settings);
        setFlash(c, { kind: "info", message: `Customer ${detail.customer.number} created.` });
        return c.redirect(`/console/customers/${detail.customer.id}`, 303);
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
        if (err.status === 409) status = 409;
      }
    } else errors = zodFieldErrors(parsed.error);
    const view = await listView(c, group.id);
    return renderList(c, view && { ...view, form, errors: formErrors(errors) }, status);
  })
  .get("/console/customers/:id", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const customer = await getCustomer(db, c.req.param("id"));
    if (!customer) throw notFound("customer");
    await authorizeOrg(db, c.var.staff!, customer.org_id, "programme:read", "customer");
    const group = (await getGroup(db, customer.group_id))!;
    const [{ settings }, detail, canManage] = await Promise.all([
      getSettings(db, group),
      customerDetail(db, customer),
      canDo(c, customer.org_id, "customers:manage"),
    ]);
    return renderPage(c, {
      title: customer.name,
      body: (
        <DetailPage
          detail={detail}
          settings={settings}
          group={group}
          canManage={canManage}
          csrf={c.var.session?.csrfToken}
        />
      ),
    });
  })
  .post("/console/customers/:id/accounts", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const customer = await getCustomer(db, c.req.param("id"));
    if (!customer) throw notFound("customer");
    await authorizeOrg(db, c.var.staff!, customer.org_id, "customers:manage", "customer");
    const group = (await getGroup(db, customer.group_id))!;
    const text = ((await formText(c)).type ?? "").trim();
    const type = text ? AccountTypeSchema.safeParse(text) : undefined;
    const back = `/console/customers/${customer.id}`;
    if (type && !type.success) {
      setFlash(c, { kind: "error", message: `Account type: ${type.error.issues[0].message}` });
      return c.redirect(back, 303);
    }
    try {
      const { settings } = await getSettings(db, group);
      const account = await openAccount(db, customer, type?.data, settings);
      setFlash(c, { kind: "info", message: `Account ${account.type} opened.` });
    } catch (err) {
      if (!(err instanceof ProblemError) || err.status !== 409) throw err;
      setFlash(c, { kind: "error", message: err.extra.detail ?? err.title });
    }
    return c.redirect(back, 303);
  });
