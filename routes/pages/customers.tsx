import { authorized } from "../../auth/authorize.ts";
import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { CustomerProfile } from "../../components/customers/CustomerProfile.tsx";
import {
  CustomerSearch,
  type CustomerSearchProps,
} from "../../components/customers/CustomerSearch.tsx";
import { CATEGORY_FIELDS, NewCustomerForm } from "../../components/customers/NewCustomerForm.tsx";
import { ExportForm } from "../../components/customers/ExportForm.tsx";
import { GroupChooser } from "../../components/GroupChooser.tsx";
import type { AppEnv } from "../../http/env.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { decodeCursor, page } from "../../http/pagination.ts";
import { AccountTypeSchema, openAccount } from "../../members/accounts.ts";
import {
  createCustomer,
  type Customer,
  customerDetail,
  namedCategories,
  NewCustomerSchema,
  searchCustomers,
} from "../../members/customers.ts";
import {
  blockCustomerCard,
  CustomerChangeSchema,
  updateCustomer,
} from "../../members/customer_update.ts";
import { confirmed, ConfirmStep } from "../../components/ConfirmStep.tsx";
import { formatPoints } from "../../components/customers/format.ts";
import type { CustomerFigures as CustomerFiguresOf } from "../../members/statistics.ts";
import { toHundredths } from "../../rules/points.ts";
import type { VNode } from "preact";
import {
  AdjustmentSchema,
  adjustPoints,
  CONFIRM_ADJUSTMENT_ABOVE,
  customerFigures,
  customerSales,
  statementPage,
} from "../../members/profile.ts";
import { exportHeaders, exportMembers, MemberExportFilterSchema } from "../../members/export.ts";
import { getGroup, listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupStores, groupTimeZone } from "../../programme/merchants.ts";
import { ruleNames } from "../../earning/rule_sets.ts";
import { getSettings } from "../../programme/settings.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { formText } from "../../web/form.ts";

const PAGE_SIZE = 25;

type FormValues = Record<string, string>;

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

interface ListView extends Omit<CustomerSearchProps, "pageSize"> {
  groups: MerchantGroup[];
  orgNames: Map<string, string>;
  canManage: boolean;
  form?: FormValues;
  errors?: FieldError[];
  /** The export form, for staff who may export: the programme's stores, a refused attempt. */
  export?: { stores: { number: number; name: string }[]; form?: FormValues; errors?: FieldError[] };
}

async function canDo(
  c: Context<AppEnv>,
  orgId: string,
  permission: "customers:manage" | "customers:export" | "points:adjust" | "instruments:block",
) {
  const role = await roleIn(c.get("deps").db, c.get("staff")!, orgId);
  return role !== null && can(role, permission);
}

/** The list page for `group` (or the caller's first group): search results and the form. */
async function listView(
  c: Context<AppEnv>,
  groupId: string | undefined,
): Promise<ListView | null> {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const orgIds = await visibleOrgIds(db, staff);
  const groups = await listGroups(db, { orgIds, limit: 500 });
  const group = groupId
    ? await authorized(c, "merchant group", "programme:read", groupId)
    : groups[0];
  if (!group) return null;
  const q = (c.req.query("q") ?? "").slice(0, 200);
  const [orgs, { settings }, canManage, canExport, stores, rows] = await Promise.all([
    listOrganizations(db, orgIds),
    getSettings(db, group),
    canDo(c, group.org_id, "customers:manage"),
    canDo(c, group.org_id, "customers:export"),
    groupStores(db, group),
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
    export: canExport
      ? { stores: [...new Map(stores.map((s) => [s.number, s])).values()] }
      : undefined,
    q,
    hits: result.items,
    nextCursor: result.nextCursor,
  };
}

function renderList(c: Context<AppEnv>, view: ListView | null, status: 200 | 409 | 422 = 200) {
  return renderPage(c, {
    title: "Customers",
    body: view
      ? (
        <>
          <GroupChooser
            action="/console/customers"
            class="row"
            groups={view.groups}
            current={view.group}
            orgNames={view.orgNames}
          />
          <CustomerSearch {...view} pageSize={PAGE_SIZE} />
          {view.export && (
            <ExportForm
              group={view.group}
              settings={view.settings}
              stores={view.export.stores}
              form={view.export.form ?? {}}
              errors={view.export.errors ?? []}
            />
          )}
          {view.canManage && (
            <NewCustomerForm
              group={view.group}
              settings={view.settings}
              form={view.form ?? {}}
              errors={view.errors ?? []}
              csrf={c.get("session")?.csrfToken}
            />
          )}
        </>
      )
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

const STATEMENT_PAGE = 20;
const SALES_SHOWN = 20;

/**
 * The customer's profile: detail, balances and statistics, a page of the statement (`before`
 * in the query), the latest sales, and the adjustment form when the viewer may adjust.
 */
async function renderProfile(
  c: Context<AppEnv>,
  customer: Customer,
  refused?: { form: Record<string, string>; errors: FieldError[] },
  status: 200 | 409 | 422 = 200,
  more: {
    edit?: { form: Record<string, string>; errors: FieldError[] };
    confirm?: (figures: CustomerFiguresOf) => VNode;
  } = {},
) {
  const { db } = c.get("deps");
  const group = (await getGroup(db, customer.group_id))!;
  const { settings } = await getSettings(db, group);
  const before = /^[1-9][0-9]{0,15}$/.test(c.req.query("before") ?? "")
    ? Number(c.req.query("before"))
    : undefined;
  const [detail, canManage, canAdjust, canBlock, figures, statement, sales, names, timeZone] =
    await Promise.all([
      customerDetail(db, customer),
      canDo(c, customer.org_id, "customers:manage"),
      canDo(c, customer.org_id, "points:adjust"),
      canDo(c, customer.org_id, "instruments:block"),
      customerFigures(db, customer, settings),
      statementPage(db, customer, { limit: STATEMENT_PAGE, before }),
      customerSales(db, customer, { limit: SALES_SHOWN + 1 }),
      ruleNames(db, group),
      groupTimeZone(db, group),
    ]);
  return renderPage(c, {
    title: customer.name,
    body: (
      <CustomerProfile
        detail={detail}
        categories={namedCategories(customer, settings)}
        settings={settings}
        group={group}
        canManage={canManage}
        csrf={c.get("session")?.csrfToken}
        confirm={more.confirm?.(figures)}
        changes={{
          edit: canManage ? more.edit ?? { errors: [] } : undefined,
          canBlock,
        }}
        points={{
          figures,
          statement: { ...statement, paged: before !== undefined },
          sales: { items: sales.slice(0, SALES_SHOWN), more: sales.length > SALES_SHOWN },
          adjust: canAdjust ? refused ?? { form: {}, errors: [] } : undefined,
          ruleNames: names,
          timeZone,
        }}
      />
    ),
  }, status);
}

/** Customers without JavaScript: search, detail, a create form and an open-account form. */
export const customerPages = new Hono<AppEnv>()
  .get("/console/customers", requireStaff, async (c) => {
    return renderList(c, await listView(c, c.req.query("group") || undefined));
  })
  .post("/console/customers", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const group = await authorized(
      c,
      "merchant group",
      "customers:manage",
      c.req.query("group") ?? "",
    );
    const form = await formText(c);
    const parsed = NewCustomerSchema.safeParse(fromForm(form));
    let errors: FieldError[];
    let status: 409 | 422 = 422;
    if (parsed.success) {
      try {
        const { settings } = await getSettings(db, group);
        const detail = await createCustomer(db, group, parsed.data, settings, c.get("staff")!);
        setFlash(c, { kind: "info", message: `Customer ${detail.customer.number} created.` });
        return c.redirect(`/console/customers/${detail.customer.id}`, 303);
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
        if (err.status === 409) status = 409;
      }
    } else errors = zodFieldErrors(parsed.error);
    const view = await listView(c, group.id);
    return renderList(c, view && { ...view, form, errors }, status);
  })
  // Before /:id, which would take "export" for a customer id.
  .get("/console/customers/export", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const group = await authorized(
      c,
      "merchant group",
      "customers:export",
      c.req.query("group") ?? "",
    );
    const { group: _, ...form } = c.req.query();
    // A form sends every field: an empty one is no filter, and the category's number matters
    // only with a code.
    const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== ""));
    if (!given.categoryCode) delete given.categoryNumber;
    const parsed = MemberExportFilterSchema.safeParse(given);
    let errors: FieldError[];
    if (parsed.success) {
      try {
        const { settings } = await getSettings(db, group);
        const csv = await exportMembers(db, group, settings, parsed.data, c.get("staff")!);
        return c.body(csv, 200, exportHeaders(group));
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
      }
    } else errors = zodFieldErrors(parsed.error);
    const view = await listView(c, group.id);
    return renderList(
      c,
      view && { ...view, export: view.export && { ...view.export, form, errors } },
      422,
    );
  })
  .get("/console/customers/:id", requireStaff, async (c) => {
    const customer = await authorized(c, "customer", "programme:read");
    return await renderProfile(c, customer);
  })
  .post("/console/customers/:id/adjustments", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const customer = await authorized(c, "customer", "points:adjust");
    const form = await formText(c);
    const text = (form.points ?? "").trim();
    const parsed = AdjustmentSchema.safeParse({
      points: /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(text) ? Number(text.replace(",", ".")) : text,
      reason: form.reason ?? "",
    });
    let errors: FieldError[];
    let status: 409 | 422 = 422;
    if (
      parsed.success && Math.abs(parsed.data.points) > CONFIRM_ADJUSTMENT_ABOVE &&
      !confirmed(form)
    ) {
      const points = toHundredths(parsed.data.points);
      return await renderProfile(c, customer, { form, errors: [] }, 200, {
        confirm: (figures) => (
          <ConfirmStep
            title={`Adjust ${customer.name}'s points by ${formatPoints(points, true)}?`}
            action={`/console/customers/${customer.id}/adjustments#adjust`}
            form={form}
            confirmLabel={`Adjust by ${formatPoints(points, true)} points`}
            backHref={`/console/customers/${customer.id}#adjust`}
            csrf={c.get("session")?.csrfToken}
          >
            <p>
              More than {formatPoints(CONFIRM_ADJUSTMENT_ABOVE * 100)}{" "}
              points either way is confirmed first. The balance goes from{" "}
              <span data-figure="confirm-before">{formatPoints(figures.points)}</span> to{" "}
              <span data-figure="confirm-after">{formatPoints(figures.points + points)}</span>
              ; reason: {parsed.data.reason}.
            </p>
          </ConfirmStep>
        ),
      });
    }
    if (parsed.success) {
      try {
        const adjusted = await adjustPoints(db, customer, parsed.data, c.get("staff")!);
        setFlash(c, {
          kind: "info",
          message: `Points adjusted by ${parsed.data.points}: the balance is ${
            (adjusted.balance / 100).toFixed(2)
          }.`,
        });
        return c.redirect(`/console/customers/${customer.id}#statement`, 303);
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
        if (err.status === 409) status = 409;
      }
    } else errors = zodFieldErrors(parsed.error);
    return await renderProfile(c, customer, { form, errors }, status);
  })
  .post("/console/customers/:id/edit", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const customer = await authorized(c, "customer", "customers:manage");
    const form = await formText(c);
    const { name, email, phone, categories } = fromForm(form);
    const parsed = CustomerChangeSchema.safeParse({
      name,
      email: email ?? null,
      phone: phone ?? null,
      categories,
    });
    let errors: FieldError[];
    if (parsed.success) {
      try {
        const { changed } = await updateCustomer(db, customer, parsed.data, c.get("staff")!);
        setFlash(c, {
          kind: "info",
          message: changed ? "Details saved." : "Nothing changed: the details are as they were.",
        });
        return c.redirect(`/console/customers/${customer.id}`, 303);
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
      }
    } else errors = zodFieldErrors(parsed.error);
    return await renderProfile(c, customer, undefined, 422, { edit: { form, errors } });
  })
  .post("/console/customers/:id/cards/block", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const customer = await authorized(c, "customer", "instruments:block");
    const form = await formText(c);
    const reason = (form.reason ?? "").trim();
    const back = `/console/customers/${customer.id}#cards`;
    if (!reason) {
      setFlash(c, { kind: "error", message: "Nothing was blocked: a reason is required." });
      return c.redirect(back, 303);
    }
    try {
      const card = await blockCustomerCard(
        db,
        customer,
        { number: (form.number ?? "").trim(), reason: reason.slice(0, 500) },
        c.get("staff")!,
      );
      setFlash(c, { kind: "info", message: `Card ${card.number} blocked.` });
    } catch (err) {
      if (!(err instanceof ProblemError) || (err.status !== 404 && err.status !== 409)) throw err;
      setFlash(c, { kind: "error", message: err.extra.detail ?? err.title });
    }
    return c.redirect(back, 303);
  })
  .post("/console/customers/:id/accounts", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const customer = await authorized(c, "customer", "customers:manage");
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
      const account = await openAccount(db, customer, type?.data, settings, c.get("staff")!);
      setFlash(c, { kind: "info", message: `Account ${account.type} opened.` });
    } catch (err) {
      if (!(err instanceof ProblemError) || err.status !== 409) throw err;
      setFlash(c, { kind: "error", message: err.extra.detail ?? err.title });
    }
    return c.redirect(back, 303);
  });
