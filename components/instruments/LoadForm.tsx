import type { FieldError } from "../../errors/problem.ts";

/**
 * Loads money onto an active gift card or store credit: the amount (a decimal of the series'
 * currency) and the required reason. `idempotencyKey` is drawn when the page is drawn, so the
 * same form posted twice (a double click, a resend) loads once. `form` and `errors` are a
 * refused attempt, each error shown at its field.
 */
export function LoadForm(
  { instrumentId, currency, idempotencyKey, form, errors, csrf }: {
    instrumentId: string;
    currency: string;
    idempotencyKey: string;
    form: Record<string, string>;
    errors: FieldError[];
    csrf?: string;
  },
) {
  const error = (name: string) => errors.find((e) => e.field === name)?.message;
  const field = (name: string) => ({
    name,
    value: form[name] ?? "",
    id: `load-${name}`,
    "aria-invalid": error(name) ? "true" as const : undefined,
    "aria-describedby": error(name) ? `load-${name}-error` : `load-${name}-hint`,
  });
  const other = errors.filter((e) => e.field !== "reason" && e.field !== "amount");
  return (
    <section class="card" id="load" aria-labelledby="load-heading">
      <h2 id="load-heading">Load money</h2>
      {other.length > 0 && (
        <p role="alert" class="flash error">{other.map((e) => e.message).join("; ")}</p>
      )}
      <form
        method="post"
        action={`/console/instruments/${instrumentId}/loads#load`}
        class="row"
        aria-labelledby="load-heading"
      >
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="idempotencyKey" value={form.idempotencyKey ?? idempotencyKey} />
        <label>
          Amount ({currency})
          <input {...field("amount")} inputMode="decimal" required />
          {error("amount")
            ? <span id="load-amount-error" class="field-error">{error("amount")}</span>
            : <span id="load-amount-hint" class="hint">added to the balance</span>}
        </label>
        <label class="wide">
          Reason
          <input {...field("reason")} maxLength={500} required />
          {error("reason")
            ? <span id="load-reason-error" class="field-error">{error("reason")}</span>
            : <span id="load-reason-hint" class="hint">required; kept on the history</span>}
        </label>
        <button type="submit">Load</button>
      </form>
    </section>
  );
}
