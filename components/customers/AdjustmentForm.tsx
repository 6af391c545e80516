import type { FieldError } from "../../errors/problem.ts";

/**
 * The form that adjusts a customer's points by hand; `form` and `errors` are a refused
 * attempt, each error shown at its field.
 */
export function AdjustmentForm(
  { customerId, form, errors, csrf }: {
    customerId: string;
    form: Record<string, string>;
    errors: FieldError[];
    csrf?: string;
  },
) {
  const error = (name: string) => errors.find((e) => e.field === name)?.message;
  const field = (name: string) => ({
    name,
    value: form[name] ?? "",
    "aria-invalid": error(name) ? "true" as const : undefined,
    "aria-describedby": error(name) ? `${name}-error` : `${name}-hint`,
  });
  return (
    <section class="card" id="adjust" aria-labelledby="adjust-heading">
      <h2 id="adjust-heading">Adjust points</h2>
      <form
        method="post"
        action={`/console/customers/${customerId}/adjustments#adjust`}
        class="row"
        aria-labelledby="adjust-heading"
      >
        <input type="hidden" name="_csrf" value={csrf} />
        <label>
          Points
          <input {...field("points")} inputMode="decimal" required />
          {error("points")
            ? <span id="points-error" class="field-error">{error("points")}</span>
            : <span id="points-hint" class="hint">negative takes points away; 2 decimals</span>}
        </label>
        <label class="wide">
          Reason
          <input {...field("reason")} maxLength={500} required />
          {error("reason")
            ? <span id="reason-error" class="field-error">{error("reason")}</span>
            : <span id="reason-hint" class="hint">required; kept on the statement</span>}
        </label>
        <button type="submit">Adjust points</button>
      </form>
    </section>
  );
}
