/**
 * The impact of the saved draft on real sales: a window of days replayed on the server (a job,
 * with its progress and a cancel button), then the answer beside the published version —
 * points and their value, per rule, customer category and store, members affected, the sales
 * that change, and the 20 that change most, each opened to a rule-by-rule comparison that
 * reuses the simulator's why-not words. Points with their decimals, money in the currency and
 * locale, times on the store's clock.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { RuleTrace } from "../../rules/trace.ts";
import {
  formatCount,
  formatMoney,
  formatPoints,
  formatPointsChange,
  when,
} from "../../web/format.ts";
import { api, ApiError, describeError } from "../api.ts";
import { useEditor } from "./fields.tsx";
import type { Catalogue, Vocabulary } from "./model.ts";
import { whyNot } from "./simulator.tsx";

// ---- the impact API's JSON (the contract of …/rules/draft/impact) ----

export interface ImpactResult {
  currency: string;
  /** Minor units per point (the setting). */
  pointValue: number;
  /** A BCP 47 locale the programme's money is read in, when the server gives one. */
  locale?: string;
  sales: number;
  /** Sales of the window recorded before sales kept what re-pricing needs: not replayed. */
  unreplayable?: number;
  salesChanged: number;
  membersAffected: number;
  /** Points in hundredths, value in minor units. */
  published: { points: number; value: number };
  draft: { points: number; value: number };
  byRule: { ruleId: string; name: string; published: number; draft: number }[];
  byCategory: {
    category: number;
    code: string;
    name: string;
    published: number;
    draft: number;
  }[];
  byStore: {
    storeId: string;
    storeNumber: number;
    storeName: string;
    published: number;
    draft: number;
  }[];
  topChanges: {
    saleId: string;
    receiptNumber: string;
    storeName: string;
    timeZone?: string;
    at: string;
    customerNumber: string | null;
    published: number;
    draft: number;
    delta: number;
  }[];
}

export interface ImpactJob {
  id: string;
  status: "queued" | "running" | "done" | "cancelled" | "failed";
  draftVersion: number;
  publishedVersion: number | null;
  days: number;
  from: string;
  to: string;
  progress: { done: number; total: number };
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  result: ImpactResult | null;
}

export interface RuleOutcome {
  ruleId: string;
  name: string;
  fired: boolean;
  points: number;
  trace: RuleTrace;
}

export interface SaleComparison {
  sale: {
    id: string;
    receiptNumber: string;
    at: string;
    storeName: string;
    timeZone: string;
    customerNumber: string | null;
    currency: string;
    total: number;
    lines: { sku: string; quantity: number; unitPrice: number; net: number }[];
  };
  published: { version: number | null; points: number; rules: RuleOutcome[] };
  draft: { version: number; points: number; rules: RuleOutcome[] };
}

// ---- rendering, without state (tested with fixture JSON) ----

/** How figures are read: the locale, and each store's time zone by name. */
export interface Reading {
  locale?: string;
  zoneOf(storeName: string): string;
}

export const readingOf = (vocabulary: Vocabulary, locale?: string): Reading => ({
  locale,
  zoneOf: (name) => vocabulary.stores.find((s) => s.name === name)?.timezone ?? "UTC",
});

const change = (published: number, draft: number, locale?: string) =>
  formatPointsChange(draft - published, locale);

/** One table of points, published beside draft, with the change. */
function PointsTable(
  { label, head, rows, locale }: {
    label: string;
    head: string;
    rows: { key: string; name: string; published: number; draft: number }[];
    locale?: string;
  },
) {
  if (rows.length === 0) return null;
  return (
    <div class="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            <th>{head}</th>
            <th class="num">Published</th>
            <th class="num">Draft</th>
            <th class="num">Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.name}</td>
              <td class="num">{formatPoints(r.published, locale)}</td>
              <td class="num">{formatPoints(r.draft, locale)}</td>
              <td class="num">{change(r.published, r.draft, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The answer of a finished job: totals, the breakdowns, the sales that change most. */
export function ImpactResultView(
  { job, reading, onCompare }: {
    job: ImpactJob & { result: ImpactResult };
    reading: Reading;
    onCompare?: (saleId: string) => void;
  },
) {
  const r = job.result;
  const locale = r.locale ?? reading.locale;
  const money = (minor: number) => formatMoney(minor, r.currency, locale);
  const published = job.publishedVersion === null
    ? "nothing published"
    : `published version ${job.publishedVersion}`;
  return (
    <div class="impact-result" aria-label="Impact result">
      <p class="muted" data-testid="impact-window">
        Draft version {job.draftVersion} beside {published}, on {formatCount(r.sales, locale)}{" "}
        {r.sales === 1 ? "sale" : "sales"} of the last {job.days} {job.days === 1 ? "day" : "days"}.
      </p>
      <div class="table-scroll">
        <table aria-label="Impact totals">
          <thead>
            <tr>
              <th>
                <span class="sr-only">Figure</span>
              </th>
              <th class="num">Published</th>
              <th class="num">Draft</th>
              <th class="num">Change</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Points</th>
              <td class="num">{formatPoints(r.published.points, locale)}</td>
              <td class="num">{formatPoints(r.draft.points, locale)}</td>
              <td class="num" data-testid="impact-points-change">
                {change(r.published.points, r.draft.points, locale)}
              </td>
            </tr>
            <tr>
              <th scope="row">Their value</th>
              <td class="num">{money(r.published.value)}</td>
              <td class="num">{money(r.draft.value)}</td>
              <td class="num">
                {r.draft.value > r.published.value ? "+" : ""}
                {money(r.draft.value - r.published.value)}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <p data-testid="impact-counts">
        {formatCount(r.salesChanged, locale)} of {formatCount(r.sales, locale)} sales change ·{" "}
        {formatCount(r.membersAffected, locale)} {r.membersAffected === 1 ? "member" : "members"}
        {" "}
        affected · a point is worth {money(r.pointValue)}
      </p>
      {(r.unreplayable ?? 0) > 0 && (
        <p class="hint warn">
          {formatCount(r.unreplayable!, locale)}{" "}
          older sales of the window were recorded before sales kept what a replay needs: they are in
          no figure.
        </p>
      )}
      <h4>Points per rule</h4>
      <PointsTable
        label="Points per rule"
        head="Rule"
        locale={locale}
        rows={r.byRule.map((x) => ({ key: x.ruleId, ...x }))}
      />
      <h4>Points per customer category</h4>
      <PointsTable
        label="Points per customer category"
        head="Category"
        locale={locale}
        rows={r.byCategory.map((x) => ({
          key: `${x.category}-${x.code}`,
          name: `${x.name}: ${x.code}`,
          published: x.published,
          draft: x.draft,
        }))}
      />
      <h4>Points per store</h4>
      <PointsTable
        label="Points per store"
        head="Store"
        locale={locale}
        rows={r.byStore.map((x) => ({
          key: x.storeId,
          name: `${x.storeNumber} · ${x.storeName}`,
          published: x.published,
          draft: x.draft,
        }))}
      />
      <h4>The sales that change most</h4>
      {r.topChanges.length === 0
        ? <p class="muted">No sale earns differently under the draft.</p>
        : (
          <div class="table-scroll">
            <table aria-label="The sales that change most">
              <thead>
                <tr>
                  <th>Receipt</th>
                  <th>Store</th>
                  <th>When (store's clock)</th>
                  <th>Customer</th>
                  <th class="num">Published</th>
                  <th class="num">Draft</th>
                  <th class="num">Change</th>
                  <th>
                    <span class="sr-only">Compare</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.topChanges.map((c) => (
                  <tr key={c.saleId}>
                    <td>{c.receiptNumber}</td>
                    <td>{c.storeName}</td>
                    <td>
                      {when(c.at, c.timeZone ?? reading.zoneOf(c.storeName))}
                    </td>
                    <td>{c.customerNumber ?? "—"}</td>
                    <td class="num">{formatPoints(c.published, locale)}</td>
                    <td class="num">{formatPoints(c.draft, locale)}</td>
                    <td class="num">{formatPointsChange(c.delta, locale)}</td>
                    <td class="cell-actions">
                      {onCompare && (
                        <button
                          type="button"
                          class="secondary small"
                          aria-label={`Compare sale ${c.receiptNumber}`}
                          onClick={() => onCompare(c.saleId)}
                        >
                          Why
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}

/** A rule's outcome in words: what it earned, or why it did not fire (the simulator's). */
export function outcomeText(
  o: RuleOutcome | undefined,
  words: { catalogue: Catalogue; digits: number; currency: string; locale?: string },
): string {
  if (!o) return "not in this version";
  if (o.trace.status === "disabled") return "turned off";
  if (!o.fired) {
    return `did not fire: ${
      whyNot(o.trace, words.catalogue, words.digits, words.currency).join("; ")
    }`;
  }
  if (o.points === 0) return "fired, but earned nothing";
  return `earned ${formatPoints(o.points, words.locale)}`;
}

/** One sale under both versions, rule by rule, with why each fired or did not. */
export function SaleComparisonView(
  { comparison, catalogue, locale }: {
    comparison: SaleComparison;
    catalogue: Catalogue;
    locale?: string;
  },
) {
  const { sale, published, draft } = comparison;
  const money = (minor: number) => formatMoney(minor, sale.currency, locale);
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: sale.currency })
    .resolvedOptions().maximumFractionDigits ?? 2;
  const words = { catalogue, digits, currency: sale.currency, locale };
  const ids = [
    ...new Set([...draft.rules.map((r) => r.ruleId), ...published.rules.map((r) => r.ruleId)]),
  ];
  const byId = (list: RuleOutcome[], id: string) => list.find((r) => r.ruleId === id);
  return (
    <section class="impact-compare" aria-label={`Sale ${sale.receiptNumber} compared`}>
      <h4>
        Sale {sale.receiptNumber} · {sale.storeName} · {when(sale.at, sale.timeZone)}
      </h4>
      <p class="muted">
        {sale.customerNumber ? `Customer ${sale.customerNumber}` : "No customer"} · net total{" "}
        {money(sale.total)} · {sale.lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")}
      </p>
      <p data-testid="compare-points">
        {published.version === null ? "Nothing published" : `Version ${published.version}`}:{" "}
        {formatPoints(published.points, locale)} points · draft version {draft.version}:{" "}
        {formatPoints(draft.points, locale)} points
      </p>
      <div class="table-scroll">
        <table aria-label="Rule by rule">
          <thead>
            <tr>
              <th>Rule</th>
              <th>{published.version === null ? "Published" : `Version ${published.version}`}</th>
              <th>Draft</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => {
              const [p, d] = [byId(published.rules, id), byId(draft.rules, id)];
              return (
                <tr key={id}>
                  <td>{(d ?? p)!.name}</td>
                  <td>{outcomeText(p, words)}</td>
                  <td>{outcomeText(d, words)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** "1,234 of 10,000 sales replayed". */
export const progressText = (job: ImpactJob, locale?: string) =>
  `${formatCount(job.progress.done, locale)} of ${formatCount(job.progress.total, locale)} ` +
  "sales replayed";

// ---- the panel ----

const POLL_MS = 400;
const MAX_DAYS = 365;
const running = (job: ImpactJob | null) => job?.status === "queued" || job?.status === "running";

export function ImpactPanel(
  { groupId, draftVersion, dirty }: { groupId: string; draftVersion: number; dirty: boolean },
) {
  const ed = useEditor();
  const base = `/merchant-groups/${groupId}/rules/draft/impact`;
  const job = useSignal<ImpactJob | null>(null);
  const days = useSignal("30");
  const daysError = useSignal<string | null>(null);
  const alert = useSignal<string | null>(null);
  const comparison = useSignal<SaleComparison | null>(null);
  const busy = useSignal(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const locale = typeof navigator === "undefined" ? undefined : navigator.language;
  const reading = readingOf(ed.vocabulary, locale);

  const stop = () => clearTimeout(timer.current);
  function follow(next: ImpactJob) {
    job.value = next;
    stop();
    if (!running(next)) return;
    timer.current = setTimeout(async () => {
      try {
        follow(await api<ImpactJob>("GET", `${base}/${next.id}`));
      } catch (err) {
        alert.value = describeError(err);
      }
    }, POLL_MS);
  }

  // The kept result of the current draft, if any: "kept until the draft changes".
  useEffect(() => {
    comparison.value = null;
    api<ImpactJob>("GET", base).then(follow, (err) => {
      if (err instanceof ApiError && err.status === 404) job.value = null;
      else alert.value = describeError(err);
    });
    return stop;
  }, [draftVersion]);

  async function run(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    alert.value = null;
    daysError.value = null;
    const n = Number(days.value);
    if (!/^\d+$/.test(days.value.trim()) || n < 1 || n > MAX_DAYS) {
      daysError.value = `a whole number of days from 1 to ${MAX_DAYS}`;
      return;
    }
    busy.value = true;
    comparison.value = null;
    try {
      follow(await api<ImpactJob>("POST", base, { days: n }));
    } catch (err) {
      const field = err instanceof ApiError ? err.errors.find((fe) => fe.field === "days") : null;
      if (field) daysError.value = field.message;
      else alert.value = describeError(err);
    } finally {
      busy.value = false;
    }
  }

  async function cancel() {
    const current = job.value;
    if (!current) return;
    try {
      follow(await api<ImpactJob>("POST", `${base}/${current.id}/cancel`));
    } catch (err) {
      // Finished meanwhile: show what it found.
      if (err instanceof ApiError && err.status === 409) {
        follow(await api<ImpactJob>("GET", `${base}/${current.id}`));
      } else alert.value = describeError(err);
    }
  }

  async function compare(saleId: string) {
    const current = job.value;
    if (!current) return;
    try {
      comparison.value = await api<SaleComparison>("GET", `${base}/${current.id}/sales/${saleId}`);
      setTimeout(() => document.getElementById("impact-compare")?.focus());
    } catch (err) {
      alert.value = describeError(err);
    }
  }

  const j = job.value;
  return (
    <section class="card impact" aria-labelledby="impact-title">
      <h2 id="impact-title">Impact on real sales</h2>
      <p class="hint">
        The saved draft (version{" "}
        {draftVersion}) replayed on the programme's recorded sales, beside the published version on
        the same sales. It cannot know who would have bought differently.{dirty
          ? " Save the draft to include the changes in the editor."
          : ""}
      </p>
      <form class="row" aria-label="Impact window" noValidate onSubmit={run}>
        <div class="re-field">
          <label for="impact-days">Days back</label>
          <input
            id="impact-days"
            class="number"
            inputMode="numeric"
            value={days.value}
            onInput={(e) => days.value = e.currentTarget.value}
            aria-invalid={daysError.value ? "true" : undefined}
            aria-describedby={daysError.value ? "impact-days-error" : "impact-days-hint"}
          />
          <span id="impact-days-hint" class="hint">1 to {MAX_DAYS}</span>
          {daysError.value && (
            <span id="impact-days-error" class="field-error">{daysError.value}</span>
          )}
        </div>
        <button type="submit" aria-disabled={busy.value || running(j) ? "true" : undefined}>
          {running(j) ? "Running…" : "Run"}
        </button>
      </form>
      {alert.value && <p role="alert" class="flash error">{alert.value}</p>}
      {j && running(j) && (
        <div class="impact-progress">
          <progress
            aria-label="Replay progress"
            value={j.progress.done}
            max={Math.max(1, j.progress.total)}
          />
          <span role="status">{progressText(j, locale)}</span>
          <button type="button" class="secondary small" onClick={cancel}>Cancel</button>
        </div>
      )}
      {j?.status === "cancelled" && (
        <p class="muted" role="status">
          Cancelled after {progressText(j, locale)}: run it again to see the impact.
        </p>
      )}
      {j?.status === "failed" && (
        <p role="alert" class="flash error">The replay failed: {j.error ?? "no reason given"}</p>
      )}
      {j?.status === "done" && j.result && (
        <ImpactResultView
          job={j as ImpactJob & { result: ImpactResult }}
          reading={reading}
          onCompare={(id) => compare(id).catch((err) => alert.value = describeError(err))}
        />
      )}
      {!j && <p class="muted">No impact computed for this draft yet: choose the days and run.</p>}
      {comparison.value && (
        <div id="impact-compare" tabIndex={-1}>
          <SaleComparisonView
            comparison={comparison.value}
            catalogue={ed.catalogue}
            locale={locale}
          />
          <button type="button" class="secondary small" onClick={() => comparison.value = null}>
            Close the comparison
          </button>
        </div>
      )}
    </section>
  );
}
