/**
 * The simulator beside the editor: a basket typed in (lines, tenders, a made-up or real
 * customer, the store and its wall-clock day and time) priced by the rules being edited, not
 * only the saved draft: points per rule and per line, and for each rule that did not fire the
 * condition that stopped it with the value the engine saw.
 */
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { todayIn, zonedInstant } from "../../calendar/zones.ts";
import type { ConditionTrace, LeafTrace, RuleTrace } from "../../rules/trace.ts";
import { api, ApiError, describeError, type FieldError } from "../api.ts";
import { useEditor } from "./fields.tsx";
import {
  type Catalogue,
  formatMinor,
  isObj,
  type Json,
  type Obj,
  parseMinor,
  type Simulation,
  stackingMultipliers,
  unlistedStoresText,
} from "./model.ts";

interface LineInput {
  sku: string;
  category: string;
  quantity: string;
  unitPrice: string;
  discount: string;
}

interface TenderInput {
  type: string;
  amount: string;
}

const newLine = (): LineInput => ({
  sku: "",
  category: "",
  quantity: "1",
  unitPrice: "",
  discount: "",
});

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
/** A time of day on a 24-hour clock, as the simulator's time field takes it. */
const HH_MM = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;

/** ISO weekday name of a YYYY-MM-DD date (the calendar day itself, no time zone involved). */
const weekdayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? "" : WEEKDAYS[(d.getUTCDay() + 6) % 7];
};

export interface SimulatorProps {
  groupId: string;
  /** Problems the edited rules have: the simulator waits until there are none. */
  problems: number;
  /** The server's verdict on the rules sent (`rules/N/…`), for the editor to show by field. */
  onRuleErrors: (errors: FieldError[]) => void;
}

export function Simulator({ groupId, problems, onRuleErrors }: SimulatorProps) {
  const ed = useEditor();
  const { vocabulary } = ed;
  const stores = vocabulary.stores;
  // The only store is the store; among several, the author chooses one (never assumed).
  const store = useSignal<number | null>(stores.length === 1 ? stores[0].number : null);
  const zone = stores.find((s) => s.number === store.value)?.timezone ?? "UTC";
  const date = useSignal(todayIn(zone));
  const time = useSignal("12:00");
  const customerKind = useSignal<"made-up" | "real">("made-up");
  const categories = useSignal(["", "", "", "", ""]);
  const cardSeries = useSignal("");
  const visitCount = useSignal("");
  const customerNumber = useSignal("");
  const lines = useSignal<LineInput[]>([newLine()]);
  const tenders = useSignal<TenderInput[]>([{ type: "CASH", amount: "" }]);
  const result = useSignal<Simulation | null>(null);
  const errors = useSignal<FieldError[]>([]);
  const alert = useSignal<string | null>(null);
  const busy = useSignal(false);
  const currency = ed.currency.value;
  const digits = ed.digits.value;

  if (stores.length === 0) {
    return (
      <section class="card simulator" aria-labelledby="sim-title">
        <h2 id="sim-title">Try a basket</h2>
        <p class="muted">
          The programme has no store yet: link a merchant with stores to the group on the{" "}
          <a href="/console/merchants">Merchants</a> page to simulate a sale.
        </p>
        {unlistedStoresText(vocabulary) && <p class="hint">{unlistedStoresText(vocabulary)}</p>}
      </section>
    );
  }

  /** An amount as typed, in minor units; the text itself when it is not one (the API says). */
  const money = (text: string): number | string => parseMinor(text, digits) ?? text;

  function basket() {
    const sent = lines.value.map((l) => {
      const discount = l.discount.trim() ? money(l.discount) : null;
      return {
        sku: l.sku.trim(),
        ...(l.category.trim() ? { category: l.category.trim() } : {}),
        quantity: /^\d+$/.test(l.quantity.trim()) ? Number(l.quantity) : l.quantity,
        unitPrice: money(l.unitPrice),
        ...(discount !== null ? { discounts: [{ kind: "sale", amount: discount }] } : {}),
      };
    });
    // A tender without an amount pays what the others leave of the net total.
    const net = sent.reduce<number | null>((sum, l) => {
      const off = l.discounts?.[0].amount ?? 0;
      return sum === null || typeof l.quantity !== "number" || typeof l.unitPrice !== "number" ||
          typeof off !== "number"
        ? null
        : sum + l.quantity * l.unitPrice - off;
    }, 0);
    const typed = tenders.value.map((t) => t.amount.trim() ? money(t.amount) : null);
    const paid = typed.reduce<number>((s, a) => s + (typeof a === "number" ? a : 0), 0);
    const rest = net === null ? 0 : Math.max(0, net - paid);
    const codes = categories.value.map((c) => c.trim().toUpperCase() || null);
    while (codes.length > 1 && codes.at(-1) === null) codes.pop();
    return {
      currency,
      at: zonedInstant(date.value, time.value, zone).toISOString(),
      storeNumber: store.value,
      lines: sent,
      tenders: tenders.value.map((t, i) => ({
        type: t.type.trim().toUpperCase(),
        amount: typed[i] ?? rest,
      })),
      customer: customerKind.value === "real" ? { number: customerNumber.value.trim() } : {
        categories: codes,
        ...(cardSeries.value ? { cardSeries: cardSeries.value } : {}),
        ...(visitCount.value.trim()
          ? {
            visitCount: /^\d+$/.test(visitCount.value.trim())
              ? Number(visitCount.value)
              : visitCount.value,
          }
          : {}),
      },
    };
  }

  async function run(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    errors.value = [];
    alert.value = null;
    if (problems > 0) {
      alert.value = `The rules have ${problems === 1 ? "a problem" : `${problems} problems`}: ` +
        "fix them to simulate.";
      return;
    }
    if (store.value === null) {
      errors.value = [{ field: "basket.storeNumber", message: "choose the store of the sale" }];
      return;
    }
    busy.value = true;
    try {
      result.value = await api<Simulation>("POST", `/merchant-groups/${groupId}/rules/simulate`, {
        rules: ed.rules.value,
        basket: basket(),
      });
    } catch (err) {
      const all = err instanceof ApiError ? err.errors : [];
      const ruleErrors = all.filter((fe) => fe.field.startsWith("rules/"));
      const mine = all.filter((fe) => fe.field.startsWith("basket."));
      onRuleErrors(ruleErrors);
      errors.value = mine;
      if (!mine.length) alert.value = describeError(err);
      result.value = null;
    } finally {
      busy.value = false;
    }
  }

  /** The error of basket field `name` (`lines.0.sku`), tied to its control. */
  const field = (name: string) => {
    const message = errors.value.find((fe) => fe.field === `basket.${name}`)?.message;
    const id = `sim-${name.replaceAll(".", "-")}`;
    return {
      id,
      message: message && <span id={`${id}-error`} class="field-error">{message}</span>,
      attrs: {
        id,
        "aria-invalid": message ? "true" as const : undefined,
        "aria-describedby": message ? `${id}-error` : undefined,
      },
    };
  };
  const setLine = (i: number, key: keyof LineInput, value: string) =>
    lines.value = lines.value.map((l, j) => j === i ? { ...l, [key]: value } : l);
  const setTender = (i: number, key: keyof TenderInput, value: string) =>
    tenders.value = tenders.value.map((t, j) => j === i ? { ...t, [key]: value } : t);
  const customerField = field("customer");

  return (
    <section class="card simulator" aria-labelledby="sim-title">
      <h2 id="sim-title">Try a basket</h2>
      <p class="hint">Priced by the rules as they are in the editor, saved or not.</p>
      <form aria-label="Basket" noValidate onSubmit={run}>
        <div class="re-row">
          <Field
            label="Store"
            id={field("storeNumber").id}
            after={
              <>
                {field("storeNumber").message}
                {unlistedStoresText(vocabulary) && (
                  <span class="hint">{unlistedStoresText(vocabulary)}</span>
                )}
              </>
            }
          >
            <select
              {...field("storeNumber").attrs}
              onChange={(e) => store.value = Number(e.currentTarget.value)}
            >
              {store.value === null && <option value="" selected>Choose a store</option>}
              {stores.map((s) => (
                <option key={s.number} value={s.number} selected={s.number === store.value}>
                  {s.number} · {s.name}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Day"
            id="sim-day"
            after={<span id="sim-weekday" class="hint">{weekdayOf(date.value)}</span>}
          >
            <input
              id="sim-day"
              type="date"
              value={date.value}
              onInput={(e) => date.value = e.currentTarget.value}
              aria-describedby="sim-weekday"
            />
          </Field>
          <Field label="Time" id="sim-time" after={<span id="sim-zone" class="hint">{zone}</span>}>
            {
              /* Text, not type="time": the browser would show its locale's 12-hour clock, where
                the console reads 24-hour times everywhere. A time is taken once it is whole. */
            }
            <input
              id="sim-time"
              value={time.value}
              pattern={HH_MM.source.slice(1, -1)}
              inputMode="numeric"
              placeholder="HH:MM"
              onInput={(e) => {
                if (HH_MM.test(e.currentTarget.value)) time.value = e.currentTarget.value;
              }}
              aria-describedby="sim-zone"
            />
          </Field>
          <Field label="Currency" id={field("currency").id} after={field("currency").message}>
            <input
              class="number"
              value={currency}
              maxLength={3}
              onInput={(e) => ed.currency.value = e.currentTarget.value.toUpperCase()}
              {...field("currency").attrs}
            />
          </Field>
        </div>

        <fieldset class="re-object" {...customerField.attrs}>
          <legend>Customer</legend>
          <div class="segmented" role="radiogroup" aria-label="Kind of customer">
            {(["made-up", "real"] as const).map((k) => (
              <label class="check" key={k}>
                <input
                  type="radio"
                  name="sim-customer"
                  checked={customerKind.value === k}
                  onChange={() => customerKind.value = k}
                />
                {k === "made-up" ? "Made-up customer" : "Real customer"}
              </label>
            ))}
          </div>
          {customerKind.value === "made-up"
            ? (
              <div class="re-row">
                {vocabulary.categoryNames.map((name, i) => {
                  const f = field(`customer.categories.${i}`);
                  return (
                    <Field
                      key={i}
                      label={name === `Category ${i + 1}` ? name : `${name} (category ${i + 1})`}
                      id={f.id}
                      after={f.message}
                    >
                      <input
                        class="code"
                        list={vocabulary.categoryCodes[i]?.length ? `sim-codes-${i}` : undefined}
                        value={categories.value[i]}
                        onInput={(e) =>
                          categories.value = categories.value.map((c, j) =>
                            j === i ? e.currentTarget.value.toUpperCase() : c
                          )}
                        {...f.attrs}
                      />
                      {vocabulary.categoryCodes[i]?.length > 0 && (
                        <datalist id={`sim-codes-${i}`}>
                          {vocabulary.categoryCodes[i].map((c) => <option key={c} value={c} />)}
                        </datalist>
                      )}
                    </Field>
                  );
                })}
                <Field label="Card series" id="sim-card-series">
                  <select
                    id="sim-card-series"
                    onChange={(e) => cardSeries.value = e.currentTarget.value}
                  >
                    <option value="" selected={cardSeries.value === ""}>none</option>
                    {vocabulary.cardSeries.map((s) => (
                      <option
                        key={s.prefix}
                        value={s.prefix}
                        selected={cardSeries.value === s.prefix}
                      >
                        {s.prefix} · {s.name}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  label="Visits so far"
                  id={field("customer.visitCount").id}
                  after={field("customer.visitCount").message}
                >
                  <input
                    class="number"
                    inputMode="numeric"
                    value={visitCount.value}
                    onInput={(e) => visitCount.value = e.currentTarget.value}
                    {...field("customer.visitCount").attrs}
                  />
                </Field>
              </div>
            )
            : (
              <Field
                label="Customer number"
                id={field("customer.number").id}
                after={field("customer.number").message}
              >
                <input
                  value={customerNumber.value}
                  onInput={(e) => customerNumber.value = e.currentTarget.value}
                  {...field("customer.number").attrs}
                />
              </Field>
            )}
          {customerField.message}
        </fieldset>

        <table class="sim-lines">
          <caption class="section-title">Lines</caption>
          <thead>
            <tr>
              <th>SKU</th>
              <th>Category</th>
              <th class="num">Qty</th>
              <th class="num">Unit price</th>
              <th class="num">Discount</th>
              <th>
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.value.map((l, i) => {
              const n = i + 1;
              const cell = (key: keyof LineInput, label: string, extra = {}) => {
                const f = field(`lines.${i}.${key === "discount" ? "discounts" : key}`);
                return (
                  <td>
                    <input
                      value={l[key]}
                      aria-label={`${label} of line ${n}`}
                      onInput={(e) => setLine(i, key, e.currentTarget.value)}
                      {...extra}
                      {...f.attrs}
                    />
                    {f.message}
                  </td>
                );
              };
              return (
                <tr key={i}>
                  {cell("sku", "SKU")}
                  {cell("category", "Category", { list: "sim-categories" })}
                  {cell("quantity", "Quantity", { class: "number", inputMode: "numeric" })}
                  {cell("unitPrice", `Unit price (${currency})`, {
                    class: "number",
                    inputMode: "decimal",
                  })}
                  {cell("discount", `Discount (${currency})`, {
                    class: "number",
                    inputMode: "decimal",
                  })}
                  <td>
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={`Remove line ${n}`}
                      onClick={() => lines.value = lines.value.filter((_, j) => j !== i)}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <datalist id="sim-categories">
          {vocabulary.itemCategories.map((c) => <option key={c} value={c} />)}
        </datalist>
        <button
          type="button"
          class="secondary small"
          onClick={() => lines.value = [...lines.value, newLine()]}
        >
          Add line
        </button>

        <table class="sim-lines">
          <caption class="section-title">Tenders</caption>
          <thead>
            <tr>
              <th>Type</th>
              <th class="num">Amount</th>
              <th>
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tenders.value.map((t, i) => {
              const type = field(`tenders.${i}.type`);
              const amount = field(`tenders.${i}.amount`);
              return (
                <tr key={i}>
                  <td>
                    <input
                      value={t.type}
                      aria-label={`Type of tender ${i + 1}`}
                      onInput={(e) => setTender(i, "type", e.currentTarget.value)}
                      {...type.attrs}
                    />
                    {type.message}
                  </td>
                  <td>
                    <input
                      class="number"
                      inputMode="decimal"
                      value={t.amount}
                      placeholder="the rest"
                      aria-label={`Amount of tender ${i + 1} (${currency})`}
                      onInput={(e) => setTender(i, "amount", e.currentTarget.value)}
                      {...amount.attrs}
                    />
                    {amount.message}
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={`Remove tender ${i + 1}`}
                      onClick={() => tenders.value = tenders.value.filter((_, j) => j !== i)}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <button
          type="button"
          class="secondary small"
          onClick={() => tenders.value = [...tenders.value, { type: "", amount: "" }]}
        >
          Add tender
        </button>
        {alert.value && <p role="alert" class="flash error">{alert.value}</p>}
        <div class="form-buttons">
          <button type="submit" aria-disabled={busy.value ? "true" : undefined}>
            {busy.value ? "Simulating…" : "Simulate"}
          </button>
        </div>
      </form>
      {result.value && <SimulationResult result={result.value} />}
    </section>
  );
}

/** A labelled control with what goes under it (a hint, an error). */
function Field(
  { label, id, after, children }: {
    label: string;
    id: string;
    after?: ComponentChildren;
    children: ComponentChildren;
  },
) {
  return (
    <div class="re-field">
      <label for={id}>{label}</label>
      {children}
      {after}
    </div>
  );
}

function SimulationResult({ result }: { result: Simulation }) {
  const ed = useEditor();
  const digits = ed.digits.value;
  const { storeTime, basket } = result;
  const notFired = result.trace.filter((t) => t.status !== "fired");
  const earned = result.rules.filter((r) => r.points !== 0);
  // A rule that fired and earned 0 did nothing for this basket: said apart, with why.
  const nothing = result.trace.filter((t) =>
    t.status === "fired" && t.type !== "staff-discount" &&
    !earned.some((r) => r.id === t.ruleId)
  );
  const fired = new Set(earned.map((r) => r.id));
  const stacked = stackingMultipliers(ed.rules.value, fired);
  const ruleAt = (i: number) => ed.rules.value[i] as Obj;
  const words: TraceWords = { catalogue: ed.catalogue, digits, currency: basket.currency };
  return (
    <section class="sim-result" aria-label="Simulation result" aria-live="polite">
      <p>
        {WEEKDAYS[storeTime.dayOfWeek - 1]} {storeTime.date}, {storeTime.timeOfDay}{" "}
        on the store's clock · net total {formatMinor(result.total, digits)} {basket.currency}
      </p>
      <p class="sim-total">
        Earns <strong data-testid="sim-points">{result.points}</strong> points
        {result.nonLoyalty && <span class="muted">(not a member: nothing is earned)</span>}
      </p>
      {stacked.length > 0 && (
        <ul class="stack-notes" aria-label="Multipliers that stacked">
          {stacked.map((st) => (
            <li key={`${st.a}-${st.b}`} class="hint warn">
              {String(ruleAt(st.a).name)} and {String(ruleAt(st.b).name)} both fired: {st.text}{" "}
              (their extras add).
            </li>
          ))}
        </ul>
      )}
      {earned.length > 0 && (
        <table aria-label="Points per rule">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Reference</th>
              <th class="num">Points</th>
            </tr>
          </thead>
          <tbody>
            {earned.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{r.reference}</td>
                <td class="num">{r.points}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.lines.length > 0 && (
        <table aria-label="Points per line">
          <thead>
            <tr>
              <th>Line</th>
              <th>SKU</th>
              <th class="num">Points</th>
            </tr>
          </thead>
          <tbody>
            {result.lines.map((l) => (
              <tr key={l.index}>
                <td>{l.index + 1}</td>
                <td>{basket.lines[l.index]?.sku}</td>
                <td class="num">{l.points}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.discounts.length > 0 && (
        <ul>
          {result.discounts.map((d, i) => (
            <li key={i}>
              Staff discount ({d.ruleId}){d.lineIndex !== undefined
                ? ` on line ${d.lineIndex + 1}`
                : ""}: {formatMinor(d.amount, digits)} {basket.currency}
            </li>
          ))}
        </ul>
      )}
      {nothing.length > 0 && (
        <>
          <h3 class="section-title">Fired, but earned nothing</h3>
          <ul class="why-not">
            {nothing.map((t) => (
              <li key={t.ruleId} aria-label={`Why ${t.name} earned nothing`}>
                <strong>{t.name}</strong>: {whyNothing(
                  ed.rules.value.find((r) => isObj(r) && r.id === t.ruleId),
                  basket,
                  words,
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {notFired.length > 0 && (
        <>
          <h3 class="section-title">Did not fire</h3>
          <ul class="why-not">
            {notFired.map((t) => (
              <li key={t.ruleId} aria-label={`Why ${t.name} did not fire`}>
                <strong>{t.name}</strong>: {t.status === "disabled"
                  ? "turned off"
                  : whyNot(t, ed.catalogue, digits, basket.currency).join("; ")}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** What trace texts need: the catalogue's labels, and how money is shown. */
export interface TraceWords {
  catalogue: Catalogue;
  digits: number;
  currency: string;
}

/** A line selector in words: "lines that are COATS at full price"; "every line". */
export function selectorWords(sel: unknown): string {
  const s = isObj(sel) ? sel : {};
  const list = (v: Json | undefined) => Array.isArray(v) ? v.map(String).join(" or ") : "";
  const which = [
    list(s.categories) && `that are ${list(s.categories)}`,
    list(s.skus) && `of SKU ${list(s.skus)}`,
  ].filter(Boolean).join(" or ");
  const full = s.excludeDiscounted === true ? "at full price" : "";
  return which || full ? ["lines", which, full].filter(Boolean).join(" ") : "every line";
}

interface BasketLines {
  lines: readonly {
    sku: string;
    category?: string;
    quantity: number;
    discounts?: readonly unknown[];
  }[];
  discounts?: readonly unknown[];
  total?: number;
}

/** The units of `basket` a selector takes (an order-level discount counts on every line). */
export function selectedQuantity(sel: unknown, basket: BasketLines): number {
  const s = isObj(sel) ? sel : {};
  const orderDiscount = (basket.discounts?.length ?? 0) > 0;
  const has = (v: Json | undefined, x: string | undefined) =>
    Array.isArray(v) && x !== undefined && v.includes(x);
  return basket.lines.filter((l) => {
    if (s.excludeDiscounted === true && (orderDiscount || (l.discounts?.length ?? 0) > 0)) {
      return false;
    }
    if (!Array.isArray(s.skus) && !Array.isArray(s.categories)) return true;
    return has(s.skus, l.sku) || has(s.categories, l.category);
  }).reduce((n, l) => n + l.quantity, 0);
}

/** Why a rule that fired earned 0 on `basket`: what its award counted, and found. */
export function whyNothing(rule: Json | undefined, basket: BasketLines, words: TraceWords): string {
  const event = isObj(rule) && isObj(rule.event) ? rule.event : {};
  const params = isObj(event.params) ? event.params : {};
  if (params.selector !== undefined) {
    return `${selectorWords(params.selector)}: ${selectedQuantity(params.selector, basket)}`;
  }
  if (event.type === "multiplier") return "the rules it multiplies earned nothing here";
  if (event.type === "basket-points" && typeof params.minTotal === "number") {
    return `the net total is under ${formatMinor(params.minTotal, words.digits)} ` +
      words.currency;
  }
  if (event.type === "tender-points") {
    return `nothing was paid with ${
      Array.isArray(params.tenderTypes) ? params.tenderTypes.join(" or ") : "those tenders"
    }`;
  }
  return "its award came to 0 points";
}

/** What the programme's gate checked, in words, for the system facts outside the catalogue. */
const GATE_TEXT: Record<string, string> = {
  nonLoyalty: "the customer is not a member (no customer, or a non-loyalty customer type)",
  hasDiscount: "the sale carries a discount and the programme gives no points on discounted sales",
  calcPointsOnDiscountedItems:
    "the sale carries a discount and the programme gives no points on discounted sales",
  staff: "the customer is not staff",
  atStaffLocation: "not at the staff default store",
};

/** Facts whose params are a line selector. */
const SELECTOR_FACTS = new Set(["eligibleQuantity", "eligibleSpend"]);

const isLeaf = (c: ConditionTrace): c is LeafTrace => "fact" in c;
const childrenOf = (c: Exclude<ConditionTrace, LeafTrace>): ConditionTrace[] =>
  "all" in c ? c.all : "any" in c ? c.any : [c.not];

/** The leaves that made `node` false (or, under `not`, true), in the order they were checked. */
function culprits(node: ConditionTrace, wanted: boolean): LeafTrace[] {
  if (isLeaf(node)) return node.result === wanted ? [node] : [];
  if ("not" in node) return culprits(node.not, !wanted);
  return childrenOf(node).flatMap((c) => c.result === wanted ? culprits(c, wanted) : []);
}

/** Why rule `t` did not fire: each deciding condition, with the value the engine saw. */
export function whyNot(t: RuleTrace, catalogue: Catalogue, digits: number, currency: string) {
  const gate = t.gate.filter((g) => g.result === false).flatMap((g) => culprits(g, false));
  if (gate.length) {
    return [
      ...new Set(
        gate.map((l) => GATE_TEXT[l.fact] ?? describe(l, false, catalogue, digits, currency)),
      ),
    ];
  }
  return culprits(t.conditions, false).map((l) =>
    describe(l, l.result === true, catalogue, digits, currency)
  );
}

/** `Day of week is Tuesday — it was Wednesday`; `held` for a condition a `not` refused. */
function describe(
  leaf: LeafTrace,
  held: boolean,
  catalogue: Catalogue,
  digits: number,
  currency: string,
): string {
  const fact = catalogue.facts.find((f) => f.name === leaf.fact);
  const op = catalogue.operators.find((o) => o.name === leaf.operator)?.label ?? leaf.operator;
  const show = (v: unknown): string => {
    if (Array.isArray(v)) return v.map(show).join(", ");
    if (v === null || v === undefined) return "none";
    if (fact?.kind === "weekday" && typeof v === "number") return WEEKDAYS[v - 1] ?? String(v);
    if (fact?.kind === "money" && typeof v === "number") {
      return `${formatMinor(v, digits)} ${currency}`;
    }
    if (typeof v === "boolean") return v ? "yes" : "no";
    return String(v);
  };
  const params = leaf.params as Record<string, Json> | undefined;
  let name = fact?.label ?? leaf.fact;
  if (leaf.fact === "customerCategory" && params) name += ` ${params.index}`;
  if (leaf.fact === "tenderAmount" && params) name += ` ${show(params.types)}`;
  const rule = `${name} ${op} ${show(leaf.value)}`;
  // A selector's count is named by what it counted: "lines that are COATS at full price: 0".
  const counted = SELECTOR_FACTS.has(leaf.fact) ? `${selectorWords(params)}: ` : "";
  return held
    ? `${rule} must not hold, and it did (${counted}${show(leaf.factValue)})`
    : `${rule} — ${counted || "it was "}${show(leaf.factValue)}`;
}
