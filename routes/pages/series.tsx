import { authorized } from "../../auth/authorize.ts";
import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { BreakageTable } from "../../components/series/BreakageTable.tsx";
import { NewSeriesForm } from "../../components/series/NewSeriesForm.tsx";
import { SeriesList } from "../../components/series/SeriesList.tsx";
import type { AppEnv } from "../../http/env.ts";
import { decodeCursor, page } from "../../http/pagination.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupTimeZone } from "../../programme/merchants.ts";
import { zonedInstant } from "../../calendar/zones.ts";
import { breakageBySeries } from "../../instruments/breakage.ts";
import { MAX_GENERATION_COUNT, runningGenerations } from "../../instruments/generation.ts";
import {
  createSeries,
  listSeries,
  NewSeriesSchema,
  seriesFigures,
  updateSeries,
} from "../../instruments/series.ts";
import { CurrencySchema, minorUnitDigits } from "../../money/currency.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { generationJson } from "../../instruments/series_json.ts";
import { formText } from "../../web/form.ts";

const SERIES_PAGE = 50;

/** An amount typed in the currency (25.00) in minor units (2500); undefined when empty or bad. */
function minorUnits(
  form: Record<string, string>,
  field: string,
  digits: number,
  currency: string,
  errors: FieldError[],
): number | undefined {
  const value = (form[field] ?? "").trim();
  if (!value) return undefined;
  const m = /^(\d{1,10})(?:\.(\d+))?$/.exec(value);
  if (!m) errors.push({ field, message: "an amount such as 25.00" });
  else if ((m[2] ?? "").length > digits) {
    errors.push({ field, message: `at most ${digits} decimals in ${currency}` });
  } else return Number(m[1] + (m[2] ?? "").padEnd(digits, "0"));
}

/** A decimal typed as text; undefined when empty, a field error when it is not a number. */
function decimal(form: Record<string, string>, field: string, errors: FieldError[]) {
  const value = (form[field] ?? "").trim();
  if (!value) return undefined;
  if (/^\d{1,10}(\.\d+)?$/.test(value)) return Number(value);
  errors.push({ field, message: "a number such as 10 or 12.5" });
}

const codes = (text: string | undefined) => {
  const list = (text ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  return list.length ? list : undefined;
};

/**
 * What a coupon gives, from the form's coupon fields (named as in the API's body), when a kind
 * is chosen: the API says what is missing or not allowed for the series' type.
 */
function benefitOf(
  form: Record<string, string>,
  digits: number,
  currency: string,
  errors: FieldError[],
): unknown {
  switch (form["benefit.kind"]) {
    case "amountOff":
      return {
        kind: "amountOff",
        amount: minorUnits(form, "benefit.amount", digits, currency, errors),
      };
    case "percentOff": {
      const selector = {
        skus: codes(form["benefit.selector.skus"]),
        categories: codes(form["benefit.selector.categories"]),
        excludeDiscounted: form["benefit.selector.excludeDiscounted"] ? true : undefined,
      };
      return {
        kind: "percentOff",
        percent: decimal(form, "benefit.percent", errors),
        ...(Object.values(selector).some((v) => v !== undefined) ? { selector } : {}),
      };
    }
    case "bonusPoints":
      return { kind: "bonusPoints", points: decimal(form, "benefit.points", errors) };
    default:
      return undefined;
  }
}

/**
 * A datetime-local value (2026-06-01T09:00) on the programme's clock, as the form says and the
 * series card shows it.
 */
function zonedTime(
  form: Record<string, string>,
  timeZone: string,
  errors: FieldError[],
): string | undefined {
  const value = (form.startsAt ?? "").trim();
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value);
  if (m) return zonedInstant(m[1], m[2], timeZone).toISOString();
  errors.push({ field: "startsAt", message: "a date and time such as 2026-06-01T09:00" });
}

/**
 * The form in people's terms, read into the API's body: amounts are typed in the currency
 * (25.00), stored in minor units (2500); empty optional fields are absent.
 */
function fromForm(
  form: Record<string, string>,
  timeZone: string,
): { body: unknown; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const currency = (form.currency ?? "").trim().toUpperCase();
  const digits = CurrencySchema.safeParse(currency).success ? minorUnitDigits(currency) : 2;
  const initialValue = minorUnits(form, "initialValue", digits, currency, errors) ?? 0;
  const optionalInt = (v: string | undefined) => v?.trim() ? Number(v) : undefined;
  const maxUses = form.unlimitedUses ? null : optionalInt(form.maxUses);
  const benefit = benefitOf(form, digits, currency, errors);
  const startsAt = zonedTime(form, timeZone, errors);
  return {
    body: {
      name: form.name ?? "",
      type: form.type ?? "",
      prefix: (form.prefix ?? "").trim().toUpperCase(),
      currency,
      initialValue,
      expiryDays: optionalInt(form.expiryDays) ?? null,
      ...(maxUses === undefined ? {} : { maxUses }),
      ...(benefit === undefined ? {} : { benefit }),
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(form.fullReturnRestoresUses ? { fullReturnRestoresUses: true } : {}),
    },
    errors,
  };
}

/** The group shown: the one asked for (authorized), else the caller's first. */
async function chosenGroup(c: Context<AppEnv>): Promise<MerchantGroup | undefined> {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
  const asked = c.req.query("group");
  if (asked) return await authorized(c, "merchant group", "programme:read", asked);
  return (await listGroups(db, { orgIds: await visibleOrgIds(db, staff), limit: 1 }))[0];
}

async function seriesPage(
  c: Context<AppEnv>,
  group: MerchantGroup | undefined,
  form?: { values: Record<string, string>; errors: FieldError[]; status: 409 | 422 },
) {
  const { db } = c.get("deps");
  const staff = c.get("staff")!;
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
  const [figures, running, breakage, timeZone] = await Promise.all([
    seriesFigures(db, ids),
    runningGenerations(db, ids),
    breakageBySeries(db, group.id),
    groupTimeZone(db, group),
  ]);
  const canManage = !!role && can(role, "series:manage");
  return renderPage(c, {
    title: "Series",
    body: (
      <>
        <SeriesList
          groups={groups}
          group={group}
          series={items.map((s) => ({
            series: s,
            figures: figures.get(s.id)!,
            running: running.has(s.id) ? generationJson(running.get(s.id)!) : null,
          }))}
          nextCursor={nextCursor}
          timeZone={timeZone}
          canManage={canManage}
          maxGeneration={MAX_GENERATION_COUNT}
          csrf={c.get("session")?.csrfToken}
        />
        <BreakageTable groupId={group.id} rows={breakage} />
        {canManage && (
          <NewSeriesForm
            group={group}
            timeZone={timeZone}
            csrf={c.get("session")?.csrfToken}
            values={form?.values}
            errors={form?.errors}
          />
        )}
      </>
    ),
  }, form?.status ?? 200);
}

/** Series with their instrument generators; their instruments are on the instruments page. */
export const seriesPages = new Hono<AppEnv>()
  .get("/console/series", requireStaff, async (c) => seriesPage(c, await chosenGroup(c)))
  .post("/console/series/:groupId", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const group = await authorized(c, "merchant group", "series:manage", c.req.param("groupId"));
    const values = await formText(c);
    const { body, errors } = fromForm(values, await groupTimeZone(db, group));
    const parsed = NewSeriesSchema.safeParse(body);
    const all = [...errors, ...(parsed.success ? [] : zodFieldErrors(parsed.error))];
    if (!parsed.success || all.length) {
      return seriesPage(c, group, { values, errors: all, status: 422 });
    }
    try {
      const series = await createSeries(db, group, parsed.data, c.get("staff")!);
      setFlash(c, { kind: "info", message: `Series ${series.name} created.` });
      return c.redirect(`/console/series?group=${group.id}#series-${series.id}`);
    } catch (err) {
      if (!(err instanceof ProblemError) || !err.extra.errors) throw err;
      return seriesPage(c, group, { values, errors: err.extra.errors, status: 409 });
    }
  })
  .post("/console/series/:seriesId/full-return", requireStaff, async (c) => {
    const series = await authorized(c, "series", "series:manage", c.req.param("seriesId"));
    const values = await formText(c);
    const updated = await updateSeries(c.get("deps").db, series, {
      fullReturnRestoresUses: !!values.fullReturnRestoresUses,
    }, c.get("staff")!);
    setFlash(c, {
      kind: "info",
      message: updated.full_return_restores_uses
        ? `A full return now gives ${updated.name}'s coupons their use back.`
        : `A full return now keeps ${updated.name}'s coupons' uses spent.`,
    });
    return c.redirect(`/console/series?group=${updated.group_id}#series-${updated.id}`);
  });
