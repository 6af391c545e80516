import { useSignal } from "@preact/signals";
import { api, ApiError, describeError } from "./api.ts";
import { formatMinor, type Json, parseMinor, type Simulation } from "./rules/model.ts";

/** What a basket earned: in all, and per rule that fired. */
export interface Earned {
  points: number;
  rules: { name: string; points: number }[];
}

export interface PointsPreviewProps {
  groupId: string;
  groupName: string;
  /** The published version priced with, and its rules (the simulator is sent them). */
  version: number;
  rules: Json[];
  store: { number: number; name: string };
  currency: string;
  digits: number;
  /** The example basket: one line of this many minor units, for this customer type. */
  spend: number;
  customerType: string;
  /** What it earns, priced by the server when it rendered the page. */
  initial: Earned;
}

/** The example: one line worth `spend`, paid in cash, by a made-up customer of that type. */
export function exampleBasket<Amount extends number | string>(
  o: { currency: string; storeNumber: number; spend: Amount; customerType: string },
) {
  return {
    currency: o.currency,
    storeNumber: o.storeNumber,
    lines: [{ sku: "EXAMPLE", category: "EXAMPLE", quantity: 1, unitPrice: o.spend }],
    tenders: [{ type: "CASH", amount: o.spend }],
    customer: { categories: [o.customerType.trim().toUpperCase() || null] },
  };
}

export const earned = (s: Pick<Simulation, "points" | "rules">): Earned => ({
  points: s.points,
  rules: s.rules.map((r) => ({ name: r.name, points: r.points })),
});

/**
 * What an example basket earns now under the programme's published rules and real settings:
 * the server prices it as the page renders; a new spend or customer type asks the simulator.
 */
export default function PointsPreview(props: PointsPreviewProps) {
  const { groupId, currency, digits, store } = props;
  const spend = useSignal(formatMinor(props.spend, digits));
  const customerType = useSignal(props.customerType);
  const result = useSignal(props.initial);
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);

  async function preview(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      const s = await api<Simulation>("POST", `/merchant-groups/${groupId}/rules/simulate`, {
        rules: props.rules,
        basket: exampleBasket({
          currency,
          storeNumber: store.number,
          spend: parseMinor(spend.value, digits) ?? spend.value,
          customerType: customerType.value,
        }),
      });
      result.value = earned(s);
    } catch (err) {
      const fields = err instanceof ApiError ? err.errors.map((fe) => fe.message) : [];
      error.value = [describeError(err), ...fields].join(": ");
    } finally {
      busy.value = false;
    }
  }

  return (
    <section class="card" aria-labelledby="pp-title">
      <h2 id="pp-title">Points preview</h2>
      <p class="hint">
        A basket at store {store.number} · {store.name} now, priced with published version{" "}
        {props.version} of {props.groupName} and its settings.
      </p>
      <form class="row" aria-label="Example basket" onSubmit={preview}>
        <label>
          Spend ({currency})
          <input
            name="spend"
            inputMode="decimal"
            value={spend.value}
            onInput={(e) => spend.value = e.currentTarget.value}
          />
        </label>
        <label>
          Customer type
          <input
            name="customerType"
            value={customerType.value}
            onInput={(e) => customerType.value = e.currentTarget.value.toUpperCase()}
          />
        </label>
        <button type="submit" aria-disabled={busy.value ? "true" : undefined}>Preview</button>
      </form>
      {error.value && <p role="alert" class="flash error">{error.value}</p>}
      <p aria-live="polite">
        Earns <output data-testid="points">{result.value.points}</output> points
        {result.value.rules.length > 0 && (
          <span class="muted">
            {` (${result.value.rules.map((r) => `${r.name}: ${r.points}`).join(", ")})`}
          </span>
        )}
      </p>
    </section>
  );
}
