import { type Context, Hono } from "hono";
import type { VNode } from "preact";
import { confirmed, ConfirmStep } from "../../components/ConfirmStep.tsx";
import { LoadForm } from "../../components/instruments/LoadForm.tsx";
import { StaffLoadRequest } from "../../instruments/activities_json.ts";
import { staffLoad } from "../../instruments/staff_load.ts";
import { carriesMoney } from "../../instruments/states.ts";
import { roleIn, visibleOrgIds } from "../../auth/access.ts";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { can, INSTRUMENT_MOVE_PERMISSIONS } from "../../auth/roles.ts";
import { GroupChooser } from "../../components/GroupChooser.tsx";
import { InstrumentFacts } from "../../components/instruments/InstrumentFacts.tsx";
import { InstrumentHistory } from "../../components/instruments/InstrumentHistory.tsx";
import { InstrumentSearch } from "../../components/instruments/InstrumentSearch.tsx";
import { MoveForm } from "../../components/instruments/MoveForm.tsx";
import { isUuid } from "../../db/errors.ts";
import { type FieldError, ProblemError, zodFieldErrors } from "../../errors/problem.ts";
import type { AppEnv } from "../../http/env.ts";
import { decodeCursor, page } from "../../http/pagination.ts";
import { staffMove } from "../../instruments/activities.ts";
import {
  type InstrumentDetail,
  instrumentDetail,
  possibleMoves,
  STAFF_MOVES,
  type StaffMove,
} from "../../instruments/detail.ts";
import { type Instrument, INSTRUMENT_STATUSES } from "../../instruments/generation.ts";
import { instrumentHistory } from "../../instruments/history.ts";
import { MoveSchema } from "../../instruments/instrument_json.ts";
import { searchInstruments } from "../../instruments/search.ts";
import { getSeries, listSeries } from "../../instruments/series.ts";
import { decimalAmount, formatMoney, parseAmount } from "../../money/amount.ts";
import { getGroup, listGroups, type MerchantGroup } from "../../programme/groups.ts";
import { groupTimeZone } from "../../programme/merchants.ts";
import { formText } from "../../web/form.ts";
import { renderPage, setFlash } from "../../web/render.tsx";

const PAGE_SIZE = 50;
const HISTORY_PAGE = 20;

type Refused = { form: Record<string, string>; errors: FieldError[] };

const DONE: Record<StaffMove, string> = {
  activate: "activated",
  block: "blocked",
  unblock: "unblocked",
  void: "voided",
};

/**
 * The group shown: the one asked for, else the series' asked for (the series page links
 * here with its series alone), else the caller's first.
 */
async function chosenGroup(
  c: Context<AppEnv>,
  seriesId: string | undefined,
): Promise<MerchantGroup | undefined> {
  const { db } = c.get("deps");
  const asked = c.req.query("group");
  if (asked) return await authorized(c, "merchant group", "programme:read", asked);
  if (seriesId) {
    const series = await authorized(c, "series", "programme:read", seriesId);
    return (await getGroup(db, series.group_id))!;
  }
  const orgIds = await visibleOrgIds(db, c.get("staff")!);
  return (await listGroups(db, { orgIds, limit: 1 }))[0];
}

async function searchPage(c: Context<AppEnv>) {
  const { db } = c.get("deps");
  const seriesId = isUuid(c.req.query("series") ?? "") ? c.req.query("series") : undefined;
  const group = await chosenGroup(c, seriesId);
  if (!group) {
    return renderPage(c, {
      title: "Instruments",
      body: (
        <section class="card">
          <p>There is no merchant group yet. Instruments belong to a group's series.</p>
        </section>
      ),
    });
  }
  const number = (c.req.query("number") ?? "").slice(0, 40);
  const status = INSTRUMENT_STATUSES.find((s) => s === c.req.query("status"));
  const [groups, series, rows, timeZone] = await Promise.all([
    listGroups(db, { orgIds: await visibleOrgIds(db, c.get("staff")!), limit: 500 }),
    listSeries(db, group.id, { limit: 500 }),
    searchInstruments(db, group.id, {
      number,
      seriesId,
      status,
      after: decodeCursor(c.req.query("cursor") || undefined, ["text"])?.[0],
      limit: PAGE_SIZE + 1,
    }),
    groupTimeZone(db, group),
  ]);
  const { items, nextCursor } = page(rows, PAGE_SIZE, (h) => [h.number]);
  return renderPage(c, {
    title: "Instruments",
    body: (
      <>
        <p class="intro">
          Gift cards, loyalty cards, store credit and coupons of a group's series: find one by any
          part of its number, see its history, activate, block or void it.
        </p>
        {groups.length > 1 && (
          <GroupChooser
            action="/console/instruments"
            class="row chooser"
            groups={groups}
            current={group}
          />
        )}
        <InstrumentSearch
          group={group}
          series={series}
          statuses={INSTRUMENT_STATUSES}
          query={{ number, seriesId, status }}
          hits={items}
          pageSize={PAGE_SIZE}
          nextCursor={nextCursor}
          timeZone={timeZone}
        />
      </>
    ),
  });
}

/**
 * The instrument's page: what it is now, the moves the viewer may make on it, and a page of
 * its history (`before` in the query).
 */
async function instrumentPage(
  c: Context<AppEnv>,
  instrument: Instrument,
  refused?: { form: Record<string, string>; errors: FieldError[] },
  status: 200 | 409 | 422 = 200,
  more: { load?: Refused; confirm?: (detail: InstrumentDetail) => VNode } = {},
) {
  const { db } = c.get("deps");
  const before = /^[1-9][0-9]{0,15}$/.test(c.req.query("before") ?? "")
    ? Number(c.req.query("before"))
    : undefined;
  const [detail, role, history, timeZone] = await Promise.all([
    instrumentDetail(db, instrument),
    roleIn(db, c.get("staff")!, instrument.org_id),
    instrumentHistory(db, instrument.id, { limit: HISTORY_PAGE, before }),
    groupTimeZone(db, { id: instrument.group_id, org_id: instrument.org_id }),
  ]);
  const moves = possibleMoves(detail)
    .filter((m) => role !== null && can(role, INSTRUMENT_MOVE_PERMISSIONS[m]));
  const { series } = detail;
  const canLoad = carriesMoney(series.type) && detail.status === "active" && role !== null &&
    can(role, "instruments:manage");
  return renderPage(c, {
    title: instrument.number,
    body: (
      <>
        <p class="intro">
          <a href={`/console/instruments?group=${instrument.group_id}`}>← Instruments</a>
        </p>
        {more.confirm?.(detail)}
        <InstrumentFacts detail={detail} timeZone={timeZone} />
        {canLoad && (
          <LoadForm
            instrumentId={instrument.id}
            currency={series.currency}
            idempotencyKey={crypto.randomUUID()}
            form={more.load?.form ?? {}}
            errors={more.load?.errors ?? []}
            csrf={c.get("session")?.csrfToken}
          />
        )}
        {moves.length > 0 && (
          <MoveForm
            instrumentId={instrument.id}
            moves={moves}
            amount={decimalAmount(series.initial_value, series.currency)}
            form={refused?.form ?? {}}
            errors={refused?.errors ?? []}
            csrf={c.get("session")?.csrfToken}
          />
        )}
        <InstrumentHistory
          instrumentId={instrument.id}
          currency={series.currency}
          {...history}
          paged={before !== undefined}
          timeZone={timeZone}
        />
      </>
    ),
  }, status);
}

/** Instruments without JavaScript: search, the instrument's page, staff moves by form. */
export const instrumentPages = new Hono<AppEnv>()
  .get("/console/instruments", requireStaff, (c) => searchPage(c))
  .get("/console/instruments/:id", requireStaff, async (c) => {
    return await instrumentPage(c, await authorized(c, "instrument", "programme:read"));
  })
  .post("/console/instruments/:id/moves", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const form = await formText(c);
    const move = STAFF_MOVES.find((m) => m === form.move);
    if (!move) {
      const instrument = await authorized(c, "instrument", "programme:read");
      const errors = [{ field: "move", message: "press the button of the change to make" }];
      return await instrumentPage(c, instrument, { form, errors }, 422);
    }
    const instrument = await authorized(c, "instrument", INSTRUMENT_MOVE_PERMISSIONS[move]);
    const errors: FieldError[] = [];
    let amount: number | undefined;
    if (move === "activate" && form.amount?.trim()) {
      const { currency } = (await getSeries(db, instrument.series_id))!;
      const parsed = parseAmount(form.amount, currency);
      if (parsed.error === undefined) amount = parsed.minor;
      else errors.push({ field: "amount", message: parsed.error });
    }
    const parsed = MoveSchema.safeParse({ reason: form.reason ?? "", amount });
    if (!parsed.success) errors.push(...zodFieldErrors(parsed.error));
    if (!parsed.success || errors.length) {
      return await instrumentPage(c, instrument, { form, errors }, 422);
    }
    if (move === "void" && !confirmed(form)) {
      return await instrumentPage(c, instrument, { form, errors: [] }, 200, {
        confirm: (detail) => (
          <ConfirmStep
            title={`Void ${instrument.number}?`}
            action={`/console/instruments/${instrument.id}/moves`}
            form={form}
            confirmLabel={`Void ${instrument.number}`}
            backHref={`/console/instruments/${instrument.id}`}
            csrf={c.get("session")?.csrfToken}
          >
            <p>
              A voided card never works again: this cannot be undone.
              {detail.balance > 0 &&
                ` Its balance of ${
                  formatMoney(detail.balance, detail.series.currency)
                } is written off as breakage.`}
            </p>
          </ConfirmStep>
        ),
      });
    }
    try {
      const state = await staffMove(
        db,
        instrument.id,
        { move, ...parsed.data },
        c.get("staff")!,
      );
      setFlash(c, {
        kind: "info",
        message: `Instrument ${state.number} ${DONE[move]}: ${state.status}, balance ${
          formatMoney(state.balance, state.currency)
        }${
          state.writtenOff
            ? `, ${formatMoney(state.writtenOff, state.currency)} written off as breakage`
            : ""
        }.`,
      });
      return c.redirect(`/console/instruments/${instrument.id}#history`, 303);
    } catch (err) {
      if (!(err instanceof ProblemError) || err.status !== 409) throw err;
      // The refusal's own sentence: its field errors name POS request fields.
      const refusal = [{ field: "move", message: err.extra.detail ?? err.title }];
      return await instrumentPage(c, instrument, { form, errors: refusal }, 409);
    }
  })
  .post("/console/instruments/:id/loads", requireStaff, async (c) => {
    const { db } = c.get("deps");
    const instrument = await authorized(c, "instrument", "instruments:manage");
    const form = await formText(c);
    const { currency } = (await getSeries(db, instrument.series_id))!;
    const amount = parseAmount(form.amount ?? "", currency);
    const errors: FieldError[] = amount.error === undefined
      ? []
      : [{ field: "amount", message: amount.error }];
    // A typed amount that is not one is said once, at its field: the schema judges the rest.
    const parsed = StaffLoadRequest.safeParse({
      amount: amount.error === undefined ? amount.minor : 1,
      reason: form.reason ?? "",
    });
    if (!parsed.success) errors.push(...zodFieldErrors(parsed.error));
    const key = (form.idempotencyKey ?? "").trim();
    if (!key) errors.push({ field: "idempotencyKey", message: "reload the page and try again" });
    if (!parsed.success || errors.length) {
      return await instrumentPage(c, instrument, undefined, 422, { load: { form, errors } });
    }
    try {
      const { body } = await staffLoad(db, instrument, parsed.data, c.get("staff")!, key);
      setFlash(c, {
        kind: "info",
        message: `Loaded ${
          formatMoney(body.activity.amount, body.currency)
        } onto ${body.number}: the balance is ${formatMoney(body.balance, body.currency)}.`,
      });
      return c.redirect(`/console/instruments/${instrument.id}#history`, 303);
    } catch (err) {
      if (!(err instanceof ProblemError) || (err.status !== 409 && err.status !== 422)) throw err;
      const refusal = [{ field: "load", message: err.extra.detail ?? err.title }];
      return await instrumentPage(c, instrument, undefined, err.status, {
        load: { form, errors: refusal },
      });
    }
  });
