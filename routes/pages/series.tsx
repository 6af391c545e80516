import type { Context } from "hono";
import { Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { Field } from "../../components/Field.tsx";
import type { InstrumentType } from "../../db/schema.ts";
import type { AppEnv } from "../../http/env.ts";
import { page } from "../../http/pagination.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import InstrumentGenerator from "../../islands/InstrumentGenerator.tsx";
import { authorizeGroup, listGroups, type MerchantGroup } from "../../programme/groups.ts";
import {
  INSTRUMENT_STATUSES,
  listInstruments,
  MAX_GENERATION_COUNT,
  runningGenerations,
} from "../../instruments/generation.ts";
import {
  authorizeSeries,
  createSeries,
  INSTRUMENT_TYPES,
  instrumentCounts,
  listSeries,
  NewSeriesSchema,
  type Series,
} from "../../instruments/series.ts";
import { CurrencySchema, minorUnitDigits } from "../../money/currency.ts";
import { Island } from "../../web/island.tsx";
import { renderPage, setFlash } from "../../web/render.tsx";
import { generationJson } from "../../instruments/series_json.ts";
import { decodeCursor } from "../../http/pagination.ts";
import { formText } from "../../web/form.ts";

const TYPE_LABELS: Record<InstrumentType, string> = {
  "gift-card": "Gift card",
  "loyalty-card": "Loyalty card",
  "store-credit": "Store credit",
  coupon: "Coupon",
};
const SERIES_PAGE = 50;
const INSTRUMENT_PAGE = 100;
const fmt = (n: number) => new Intl.NumberFormat("en-US").format(n);
const money = (minor: number, currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency })
    .format(minor / 10 ** minorUnitDigits(currency));

/**
 * The form in people's terms, read into the API's body: the initial value is typed in the
 * currency (25.00), stored in minor units (2500); empty optional fields are absent.
 */
function fromForm(form: Record<string, string>): { body: unknown; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const currency = (form.currency ?? "").trim().toUpperCase();
  const digits = CurrencySchema.safeParse(currency).success ? minorUnitDigits(currency) : 2;
  const value = (form.initialValue ?? "").trim();
  let initialValue = 0;
  const m = /^(\d{1,10})(?:\.(\d+))?$/.exec(value);
  if (value && !m) errors.push({ field: "initialValue", message: "an amount such as 25.00" });
  else if (m && (m[2] ?? "").length > digits) {
    errors.push({ field: "initialValue", message: `at most ${digits} decimals in ${currency}` });
  } else if (m) initialValue = Number(m[1] + (m[2] ?? "").padEnd(digits, "0"));
  const optionalInt = (v: string | undefined) => v?.trim() ? Number(v) : undefined;
  const maxUses = form.unlimitedUses ? null : optionalInt(form.maxUses);
  return {
    body: {
      name: form.name ?? "",
      type: form.type ?? "",
      prefix: (form.prefix ?? "").trim().toUpperCase(),
      currency,
      initialValue,
      expiryDays: optionalInt(form.expiryDays) ?? null,
      ...(maxUses === undefined ? {} : { maxUses }),
    },
    errors,
  };
}

function NumberInput(
  { name, label, value, hint, errors }: {
    name: string;
    label: string;
    value?: string;
    hint: string;
    errors?: FieldError[];
  },
) {
  const error = errors?.find((e) => e.field === name)?.message;
  return (
    <label>
      {label}
      <input
        name={name}
        inputMode="decimal"
        class="number"
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${name}-error` : `${name}-hint`}
      />
      {!error && <span id={`${name}-hint`} class="hint">{hint}</span>}
      {error && <span id={`${name}-error`} class="field-error">{error}</span>}
    </label>
  );
}

function NewSeriesForm(
  { group, csrf, values = {}, errors }: {
    group: MerchantGroup;
    csrf?: string;
    values?: Record<string, string>;
    errors?: FieldError[];
  },
) {
  const typeError = errors?.find((e) => e.field === "type")?.message;
  const other = errors?.filter((e) =>
    !["name", "type", "prefix", "currency", "initialValue", "expiryDays", "maxUses"]
      .includes(e.field)
  );
  return (
    <section class="card" aria-labelledby="new-series">
      <h2 id="new-series">New series</h2>
      {other?.length
        ? (
          <p role="alert" class="flash error">
            {other.map((e) => `${e.field}: ${e.message}`).join("; ")}
          </p>
        )
        : null}
      <form method="post" action={`/console/series/${group.id}`} class="series-form">
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="row">
          <Field label="Name" name="name" value={values.name} errors={errors} />
          <label>
            Instrument type
            <select
              name="type"
              aria-invalid={typeError ? "true" : undefined}
              aria-describedby={typeError ? "type-error" : undefined}
            >
              {INSTRUMENT_TYPES.map((t) => (
                <option value={t} selected={values.type === t}>{TYPE_LABELS[t]}</option>
              ))}
            </select>
            {typeError && <span id="type-error" class="field-error">{typeError}</span>}
          </label>
          <Field
            label="Number prefix"
            name="prefix"
            value={values.prefix}
            errors={errors}
            hint="1–8 digits; coupons: 2–9, A–Z but I, L, O"
          />
          <Field
            label="Currency"
            name="currency"
            value={values.currency ?? "EUR"}
            errors={errors}
            hint="ISO 4217 code, e.g. EUR"
          />
        </div>
        <div class="row">
          <NumberInput
            name="initialValue"
            label="Initial value"
            value={values.initialValue ?? "0"}
            hint="Loaded when a card is activated, e.g. 25.00"
            errors={errors}
          />
          <NumberInput
            name="expiryDays"
            label="Expires after (days)"
            value={values.expiryDays}
            hint="1–3650; empty: never"
            errors={errors}
          />
          <NumberInput
            name="maxUses"
            label="Uses per coupon"
            value={values.maxUses}
            hint="Coupons only; empty: single use"
            errors={errors}
          />
          <label class="check">
            <input type="checkbox" name="unlimitedUses" checked={!!values.unlimitedUses} />
            Unlimited uses (coupons)
          </label>
        </div>
        <button type="submit">Create series</button>
      </form>
    </section>
  );
}

function SeriesCard(
  { series, count, canManage, running }: {
    series: Series;
    count: number;
    canManage: boolean;
    running: ReturnType<typeof generationJson> | null;
  },
) {
  return (
    <section class="card series" id={`series-${series.id}`} aria-labelledby={`h-${series.id}`}>
      <h2 id={`h-${series.id}`}>
        {series.name} <span class="badge">{TYPE_LABELS[series.type]}</span>
      </h2>
      <dl class="facts">
        <div>
          <dt>Prefix</dt>
          <dd>{series.prefix ? <code>{series.prefix}</code> : "none"}</dd>
        </div>
        <div>
          <dt>Initial value</dt>
          <dd>{money(series.initial_value, series.currency)}</dd>
        </div>
        <div>
          <dt>Expiry</dt>
          <dd>{series.expiry_days === null ? "never" : `${fmt(series.expiry_days)} days`}</dd>
        </div>
        {series.type === "coupon" && (
          <div>
            <dt>Uses per code</dt>
            <dd>{series.max_uses === null ? "unlimited" : fmt(series.max_uses)}</dd>
          </div>
        )}
        <div>
          <dt>Instruments</dt>
          <dd>
            <a href={`/console/series/${series.id}/instruments`}>{fmt(count)}</a>
          </dd>
        </div>
      </dl>
      {canManage && (
        <Island
          of={InstrumentGenerator}
          props={{
            seriesId: series.id,
            seriesName: series.name,
            max: MAX_GENERATION_COUNT,
            running,
          }}
        />
      )}
    </section>
  );
}

/** The group shown: the one asked for (authorized), else the caller's first. */
async function chosenGroup(c: Context<AppEnv>): Promise<MerchantGroup | undefined> {
  const { db } = c.var.deps;
  const staff = c.var.staff!;
  const asked = c.req.query("group");
  if (asked) return await authorizeGroup(db, staff, asked, "programme:read");
  return (await listGroups(db, { orgIds: await visibleOrgIds(db, staff), limit: 1 }))[0];
}

async function seriesPage(
  c: Context<AppEnv>,
  group: MerchantGroup | undefined,
  form?: { values: Record<string, string>; errors: FieldError[]; status: 409 | 422 },
) {
  const { db } = c.var.deps;
  const staff = c.var.staff!;
  if (!group) {
    return renderPage(c, {
      title: "Series",
      body: (
        <section class="card">
          <p>There is no merchant group yet. Create one first: series belong to a group.</p>
        </section>
      ),
    });
  }
  const cursor = c.req.query("cursor");
  const [groups, role, rows] = await Promise.all([
    listGroups(db, { orgIds: await visibleOrgIds(db, staff), limit: 500 }),
    roleIn(db, staff, group.org_id),
    listSeries(db, group.id, {
      limit: SERIES_PAGE + 1,
      after: decodeCursor(cursor, ["text", "id"]),
    }),
  ]);
  const { items, nextCursor } = page(rows, SERIES_PAGE, (s) => [s.name, s.id]);
  const ids = items.map((s) => s.id);
  const [counts, running] = await Promise.all([
    instrumentCounts(db, ids),
    runningGenerations(db, ids),
  ]);
  const canManage = !!role && can(role, "series:manage");
  return renderPage(c, {
    title: "Series",
    body: (
      <>
        <p class="intro">
          A series is a bundle of instruments of one type — gift cards, loyalty cards, store credit
          or coupons — with a number prefix, a currency and defaults. Instruments are generated
          inactive, with numbers that cannot be guessed from one another.
        </p>
        {groups.length > 1 && (
          <form method="get" action="/console/series" class="row chooser">
            <label>
              Merchant group
              <select name="group">
                {groups.map((g) => (
                  <option value={g.id} selected={g.id === group.id}>{g.name}</option>
                ))}
              </select>
            </label>
            <button type="submit" class="secondary">Show</button>
          </form>
        )}
        {items.length === 0 && (
          <section class="card">
            <p>{group.name} has no series yet.</p>
          </section>
        )}
        {items.map((s) => (
          <SeriesCard
            key={s.id}
            series={s}
            count={counts.get(s.id) ?? 0}
            canManage={canManage}
            running={running.has(s.id) ? generationJson(running.get(s.id)!) : null}
          />
        ))}
        {nextCursor && (
          <p>
            <a href={`/console/series?group=${group.id}&cursor=${nextCursor}`}>More series →</a>
          </p>
        )}
        {canManage && (
          <NewSeriesForm
            group={group}
            csrf={c.var.session?.csrfToken}
            values={form?.values}
            errors={form?.errors}
          />
        )}
      </>
    ),
  }, form?.status ?? 200);
}

/** Series with their instrument generators, and a server-rendered list of instruments. */
export const seriesPages = new Hono<AppEnv>()
  .get("/console/series", requireStaff, async (c) => seriesPage(c, await chosenGroup(c)))
  .post("/console/series/:groupId", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const group = await authorizeGroup(db, c.var.staff!, c.req.param("groupId"), "series:manage");
    const values = await formText(c);
    const { body, errors } = fromForm(values);
    const parsed = NewSeriesSchema.safeParse(body);
    const all = [...errors, ...(parsed.success ? [] : zodFieldErrors(parsed.error))];
    if (!parsed.success || all.length) {
      return seriesPage(c, group, { values, errors: all, status: 422 });
    }
    try {
      const series = await createSeries(db, group, parsed.data, c.var.staff!);
      setFlash(c, { kind: "info", message: `Series ${series.name} created.` });
      return c.redirect(`/console/series?group=${group.id}#series-${series.id}`);
    } catch (err) {
      if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
      return seriesPage(c, group, { values, errors: err.extra.errors, status: 409 });
    }
  })
  .get("/console/series/:id/instruments", requireStaff, async (c) => {
    const { db } = c.var.deps;
    const series = await authorizeSeries(db, c.var.staff!, c.req.param("id"), "programme:read");
    const status = INSTRUMENT_STATUSES.find((s) => s === c.req.query("status"));
    const after = decodeCursor(c.req.query("cursor"), ["id"])?.[0];
    const rows = await listInstruments(db, series.id, {
      status,
      after,
      limit: INSTRUMENT_PAGE + 1,
    });
    const { items, nextCursor } = page(rows, INSTRUMENT_PAGE, (i) => [i.id]);
    const filter = status ? `&status=${status}` : "";
    return renderPage(c, {
      title: `${series.name}: instruments`,
      body: (
        <>
          <p class="intro">
            <a href={`/console/series?group=${series.group_id}#series-${series.id}`}>
              ← Series
            </a>{" "}
            · {TYPE_LABELS[series.type]}
            {series.prefix && (
              <>
                {" · prefix "}
                <code>{series.prefix}</code>
              </>
            )}
          </p>
          <form method="get" class="row chooser">
            <label>
              Status
              <select name="status">
                <option value="">any</option>
                {INSTRUMENT_STATUSES.map((s) => (
                  <option value={s} selected={s === status}>{s}</option>
                ))}
              </select>
            </label>
            <button type="submit" class="secondary">Filter</button>
          </form>
          <section class="card table-scroll">
            <table>
              <thead>
                <tr>
                  <th>{series.type === "coupon" ? "Code" : "Number"}</th>
                  <th>Status</th>
                  <th>Expires</th>
                  <th class="num">Uses</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr>
                    <td>
                      <code>{i.number}</code>
                    </td>
                    <td>{i.status}</td>
                    <td>
                      {i.expires_at ? new Date(i.expires_at).toISOString().slice(0, 10) : "—"}
                    </td>
                    <td class="num">{fmt(i.uses)}</td>
                    <td>{new Date(i.created_at).toISOString().slice(0, 10)}</td>
                  </tr>
                ))}
                {items.length === 0 && (
                  <tr>
                    <td colSpan={5}>No instruments{status ? ` in status ${status}` : ""}.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          {nextCursor && (
            <p>
              <a href={`/console/series/${series.id}/instruments?cursor=${nextCursor}${filter}`}>
                Next page →
              </a>
            </p>
          )}
        </>
      ),
    });
  });
