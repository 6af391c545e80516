import { type Signal, useComputed, useSignal } from "@preact/signals";
import { basicPoints, type Rounding, toHundredths } from "../rules/points.ts";

export interface PointsPreviewProps {
  /** ISO currency the spend is typed in. */
  currency: string;
  /** Minor digits of that currency (2 for EUR). */
  digits: number;
  /** The programme's rounding rule; a signal so a settings form on the page can share it. */
  rounding: Signal<Rounding>;
}

const MODES: { value: Rounding; label: string }[] = [
  { value: "none", label: "Do not round" },
  { value: "up", label: "Always round up" },
  { value: "down", label: "Always round down" },
  { value: "nearest", label: "Round to nearest" },
];

/** Shows what a basic-points rule awards for a spend under each rounding rule. */
export default function PointsPreview({ currency, digits, rounding }: PointsPreviewProps) {
  const spend = useSignal("12.34");
  const rate = useSignal("1.5");
  const points = useComputed(() => {
    const spendNum = Number(spend.value);
    const rateNum = Number(rate.value);
    if (!(spendNum >= 0) || !(rateNum >= 0) || Math.round(rateNum * 100) !== rateNum * 100) {
      return null;
    }
    const minor = Math.round(spendNum * 10 ** digits);
    return basicPoints(minor, digits, toHundredths(rateNum), rounding.value) / 100;
  });

  return (
    <section class="card" aria-labelledby="pp-title">
      <h2 id="pp-title">Points preview</h2>
      <div class="row">
        <label>
          Spend ({currency})
          <input
            name="spend"
            inputMode="decimal"
            value={spend}
            onInput={(e: Event) => spend.value = (e.currentTarget as HTMLInputElement).value}
          />
        </label>
        <label>
          Points per {currency}
          <input
            name="rate"
            inputMode="decimal"
            value={rate}
            onInput={(e: Event) => rate.value = (e.currentTarget as HTMLInputElement).value}
          />
        </label>
      </div>
      <div class="segmented" role="group" aria-label="Rounding rule">
        {MODES.map((m) => (
          <button
            type="button"
            aria-pressed={rounding.value === m.value}
            onClick={() => rounding.value = m.value}
          >
            {m.label}
          </button>
        ))}
      </div>
      <p>
        Awards{" "}
        <output data-testid="points">
          {points.value === null ? "—" : points.value.toFixed(2)}
        </output>{" "}
        points
      </p>
    </section>
  );
}
