import { authorized } from "../../auth/authorize.ts";
import { type Context, Hono } from "hono";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can } from "../../auth/roles.ts";
import { NewSeriesForm } from "../../components/series/NewSeriesForm.tsx";
import { SeriesList } from "../../components/series/SeriesList.tsx";
import type { AppEnv } from "../../http/env.ts";
import { decodeCursor, page } from "../../http/pagination.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import { listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { MAX_GENERATION_COUNT, runningGenerations } from "../../instruments/generation.ts";
import {
  createSeries,
  listSeries,
  NewSeriesSchema,
  seriesFigures,
} from "../../instruments/series.ts";
import { CurrencySchema, minorUnitDigits } from "../../money/currency.ts";
import { renderPage, setFlash } from "../../web/render.tsx";
import { generationJson } from "../../instruments/series_json.ts";
import { formText } from "../../web/form.ts";

const SERIES_PAGE = 50;

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
  const [figures, running] = await Promise.all([
    seriesFigures(db, ids),
    runningGenerations(db, ids),
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
          canManage={canManage}
          maxGeneration={MAX_GENERATION_COUNT}
        />
        {canManage && (
          <NewSeriesForm
            group={group}
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
    const { body, errors } = fromForm(values);
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
  });
