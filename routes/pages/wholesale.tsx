import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { GroupChooser } from "../../components/GroupChooser.tsx";
import { FORM_LINES, NewOrderForm } from "../../components/wholesale/NewOrderForm.tsx";
import { OrderDetailView } from "../../components/wholesale/OrderDetail.tsx";
import { OrderList } from "../../components/wholesale/OrderList.tsx";
import {
  type FieldError,
  notFound,
  ProblemError,
  validationError,
  zodFieldErrors,
} from "../../errors/problem.ts";
import type { AppEnv } from "../../http/env.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupTimeZone } from "../../programme/merchants.ts";
import { getSettings } from "../../programme/settings.ts";
import { listOrganizations } from "../../registry/organizations.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { formText } from "../../web/form.ts";
import {
  acceptOrder,
  cancelOrder,
  createOrder,
  listOrders,
  NewOrderSchema,
  orderDetail,
  orderGroupId,
  OrderReturnSchema,
  returnOrder,
  VersionSchema,
} from "../../wholesale/orders.ts";
import { programmeStores } from "../../wholesale/till.ts";

const PAGE_SIZE = 25;
const BASE = "/console/wholesale-orders";

type FormValues = Record<string, string>;

const whole = (text: string | undefined) => {
  const t = (text ?? "").trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : t;
};

/**
 * The form read back into a new-order body, for NewOrderSchema to judge: rows left empty are
 * skipped, and `rows[i]` is the form row of the body's line i (to show its error there).
 */
function fromForm(form: FormValues) {
  const rows = Array.from({ length: FORM_LINES }, (_, i) => i)
    .filter((i) => (form[`sku${i}`] ?? "").trim() || (form[`quantity${i}`] ?? "").trim());
  return {
    rows,
    body: {
      customerNumber: form.customerNumber ?? "",
      location: whole(form.location),
      fulfilment: form.fulfilment || undefined,
      currency: (form.currency ?? "").trim().toUpperCase(),
      note: (form.note ?? "").trim() || undefined,
      lines: rows.map((i) => ({
        sku: form[`sku${i}`] ?? "",
        quantity: whole(form[`quantity${i}`]),
      })),
    },
  };
}

/** The body's `lines.i.…` as the form row's. */
const rowErrors = (errors: FieldError[], rows: number[]) =>
  errors.map((e) => {
    const m = /^lines\.(\d+)\.(.+)$/.exec(e.field);
    return m ? { ...e, field: `lines.${rows[Number(m[1])] ?? m[1]}.${m[2]}` } : e;
  });

async function canManage(c: Context<AppEnv>, orgId: string) {
  const role = await roleIn(c.get("deps").db, c.get("staff")!, orgId);
  return role !== null && can(role, "wholesale:manage");
}

/** The list page of `groupId` (or the caller's first group), with the form when allowed. */
async function renderList(
  c: Context<AppEnv>,
  groupId: string | undefined,
  refused?: { form: FormValues; errors: FieldError[] },
) {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const orgIds = await visibleOrgIds(db, staff);
  const groups = await listGroups(db, { orgIds, limit: 500 });
  const group: MerchantGroup | undefined = groupId
    ? await authorized(c, "merchant group", "programme:read", groupId)
    : groups[0];
  if (!group) {
    return renderPage(c, {
      title: "Wholesale orders",
      body: (
        <section class="card">
          <p>There is no merchant group yet: wholesale orders belong to a loyalty programme.</p>
        </section>
      ),
    });
  }
  const before = /^\d{1,15}$/.test(c.req.query("before") ?? "")
    ? Number(c.req.query("before"))
    : undefined;
  const [orgs, { settings }, manage, stores, rows, timeZone] = await Promise.all([
    listOrganizations(db, orgIds),
    getSettings(db, group),
    canManage(c, group.org_id),
    programmeStores(db, group),
    listOrders(db, group, { limit: PAGE_SIZE + 1, beforeNumber: before }),
    groupTimeZone(db, group),
  ]);
  const shown = rows.slice(0, PAGE_SIZE);
  const nextHref = rows.length > PAGE_SIZE
    ? `${BASE}?group=${group.id}&before=${shown[shown.length - 1].number}`
    : null;
  return renderPage(c, {
    title: "Wholesale orders",
    body: (
      <>
        <GroupChooser
          action={BASE}
          class="row"
          groups={groups}
          current={group}
          orgNames={new Map(orgs.map((o) => [o.id, o.name]))}
        />
        <OrderList rows={shown} nextHref={nextHref} timeZone={timeZone} />
        {manage && (
          <NewOrderForm
            group={group}
            stores={stores}
            priceLevel={settings.wholesale.priceLevel}
            form={refused?.form ?? {}}
            errors={refused?.errors ?? []}
            csrf={c.get("session")?.csrfToken}
          />
        )}
      </>
    ),
  }, refused ? 422 : 200);
}

/** The order of the path's `orderId`, with its group, when the caller holds `permission`. */
async function orderOf(c: Context<AppEnv>, permission: "programme:read" | "wholesale:manage") {
  const id = c.req.param("orderId") ?? "";
  const groupId = await orderGroupId(c.get("deps").db, id);
  if (!groupId) throw notFound("wholesale order");
  const group = await authorized(c, "merchant group", permission, groupId);
  return { id, group };
}

/** The form's version, or the 422 naming it. */
function versionOf(form: FormValues) {
  const parsed = VersionSchema.safeParse({ version: whole(form.version) });
  if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
  return parsed.data.version;
}

/** Runs a move of the order; a refusal (409, 422) becomes the flash of the order's page. */
async function move(
  c: Context<AppEnv>,
  run: (
    order: { id: string; group: MerchantGroup },
    version: number,
    form: FormValues,
  ) => Promise<string>,
) {
  const order = await orderOf(c, "wholesale:manage");
  const { id } = order;
  try {
    const form = await formText(c);
    setFlash(c, { kind: "info", message: await run(order, versionOf(form), form) });
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status >= 500 || err.status === 404) throw err;
    const fields = (err.extra.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
    setFlash(c, {
      kind: "error",
      message: [err.title, err.extra.detail, fields].filter(Boolean).join(" — "),
    });
  }
  return c.redirect(`${BASE}/${id}`, 303);
}

/** Wholesale orders without JavaScript: the list, a create form, the detail and its moves. */
export const wholesalePages = new Hono<AppEnv>()
  .get(BASE, requireStaff, (c) => renderList(c, c.req.query("group") || undefined))
  .post(BASE, requireStaff, async (c) => {
    const group = await authorized(
      c,
      "merchant group",
      "wholesale:manage",
      c.req.query("group") ?? "",
    );
    const form = await formText(c);
    const { rows, body } = fromForm(form);
    const parsed = NewOrderSchema.safeParse(body);
    let errors: FieldError[];
    if (parsed.success) {
      try {
        const order = await createOrder(c.get("deps").db, group, parsed.data, c.get("staff")!);
        setFlash(c, { kind: "info", message: `Order WO-${order.number} created as a draft.` });
        return c.redirect(`${BASE}/${order.id}`, 303);
      } catch (err) {
        if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
        errors = err.extra.errors;
      }
    } else errors = zodFieldErrors(parsed.error);
    return await renderList(c, group.id, { form, errors: rowErrors(errors, rows) });
  })
  .get(`${BASE}/:orderId`, requireStaff, async (c) => {
    const { id, group } = await orderOf(c, "programme:read");
    const order = (await orderDetail(c.get("deps").db, group, id))!;
    return renderPage(c, {
      title: `Wholesale order WO-${order.number}`,
      body: (
        <OrderDetailView
          order={order}
          canManage={await canManage(c, group.org_id)}
          csrf={c.get("session")?.csrfToken}
          returnKey={crypto.randomUUID()}
          timeZone={await groupTimeZone(c.get("deps").db, group)}
        />
      ),
    });
  })
  .post(`${BASE}/:orderId/accept`, requireStaff, (c) =>
    move(c, async ({ id, group }, version) => {
      const { order } = await acceptOrder(
        c.get("deps").db,
        c.get("programmes"),
        group,
        id,
        version,
        c.get("staff")!,
      );
      return `Order WO-${order.number} accepted: recorded as sale ${order.sale!.receiptNumber}.`;
    }))
  .post(`${BASE}/:orderId/cancel`, requireStaff, (c) =>
    move(c, async ({ id, group }, version) => {
      const order = await cancelOrder(c.get("deps").db, group, id, version, c.get("staff")!);
      return `Order WO-${order.number} cancelled.`;
    }))
  .post(
    `${BASE}/:orderId/returns`,
    requireStaff,
    (c) =>
      move(c, async ({ id, group }, version, form) => {
        // The units typed per line (`quantity<index>`); none typed: everything left.
        const typed = Object.entries(form).flatMap(([k, v]) => {
          const m = /^quantity(\d{1,3})$/.exec(k);
          return m && v.trim() ? [{ index: Number(m[1]), quantity: whole(v) }] : [];
        });
        const parsed = OrderReturnSchema.safeParse({
          version,
          lines: typed.length ? typed : undefined,
        });
        if (!parsed.success) throw validationError(zodFieldErrors(parsed.error));
        const answer = await returnOrder(
          c.get("deps").db,
          c.get("programmes"),
          group,
          id,
          parsed.data,
          (form.key ?? "").slice(0, 100) || crypto.randomUUID(),
          c.get("staff")!,
        );
        return `Return ${answer.return.receiptNumber} recorded.`;
      }),
  );
