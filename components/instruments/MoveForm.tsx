import type { FieldError } from "../../errors/problem.ts";
import type { StaffMove } from "../../instruments/detail.ts";

const LABELS: Record<StaffMove, string> = {
  activate: "Activate",
  block: "Block",
  unblock: "Unblock",
  void: "Void",
};

/**
 * The staff moves the instrument allows now and the viewer may make: one button each, with
 * the required reason and, when activating is offered, the amount loaded. `form` and `errors`
 * are a refused attempt, each error shown at its field.
 */
export function MoveForm(
  { instrumentId, moves, amount, form, errors, csrf }: {
    instrumentId: string;
    moves: StaffMove[];
    /** The amount field's default (the series' initial value as a decimal) when activating. */
    amount?: string;
    form: Record<string, string>;
    errors: FieldError[];
    csrf?: string;
  },
) {
  const error = (name: string) => errors.find((e) => e.field === name)?.message;
  const field = (name: string, value: string) => ({
    name,
    value,
    "aria-invalid": error(name) ? "true" as const : undefined,
    "aria-describedby": error(name) ? `${name}-error` : `${name}-hint`,
  });
  const other = errors.filter((e) => e.field !== "reason" && e.field !== "amount");
  return (
    <section class="card" id="moves" aria-labelledby="moves-heading">
      <h2 id="moves-heading">Change the status</h2>
      {other.length > 0 && (
        <p role="alert" class="flash error">{other.map((e) => e.message).join("; ")}</p>
      )}
      <form
        method="post"
        action={`/console/instruments/${instrumentId}/moves`}
        class="row"
        aria-labelledby="moves-heading"
      >
        <input type="hidden" name="_csrf" value={csrf} />
        {moves.includes("activate") && (
          <label>
            Amount
            <input {...field("amount", form.amount ?? amount ?? "")} inputMode="decimal" />
            {error("amount")
              ? <span id="amount-error" class="field-error">{error("amount")}</span>
              : <span id="amount-hint" class="hint">loaded on activation</span>}
          </label>
        )}
        <label class="wide">
          Reason
          <input {...field("reason", form.reason ?? "")} maxLength={500} required />
          {error("reason")
            ? <span id="reason-error" class="field-error">{error("reason")}</span>
            : <span id="reason-hint" class="hint">required; kept on the history</span>}
        </label>
        {moves.map((m) => (
          <button type="submit" name="move" value={m} class={m === "void" ? "danger" : undefined}>
            {LABELS[m]}
          </button>
        ))}
      </form>
    </section>
  );
}
