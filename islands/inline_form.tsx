import { useSignal } from "@preact/signals";
import { useLayoutEffect, useRef } from "preact/hooks";
import { ApiError, describeError, type FieldError } from "./api.ts";

export interface FieldSpec {
  /** The API's field name, so its `errors[].field` lands next to this input. */
  name: string;
  label: string;
  type?: "text" | "number";
  value?: string;
  optional?: boolean;
  hint?: string;
  /** Suggestions offered while typing (a datalist). */
  options?: readonly string[];
}

export interface InlineFormProps {
  /** Unique on the page: prefixes the ids that tie hints and errors to their fields. */
  id: string;
  /** The form's accessible name, e.g. "New store in North". */
  label: string;
  fields: FieldSpec[];
  submitLabel: string;
  /** Resolves when done (the caller usually closes the form); throws an ApiError to show. */
  onSubmit: (values: Record<string, string>) => Promise<void>;
  /** Gives the form a Cancel button and Escape; a form that stays open has neither. */
  onCancel?: () => void;
  /** Empties the fields after a success, for a form that stays open. */
  resetOnSuccess?: boolean;
}

// Not JSX text: deno fmt drops the leading space there, and the label would read "Label(optional)".
const OPTIONAL = " (optional)";

/** `""` → absent, so the API reports a missing number rather than a made-up 0. */
export const toNumber = (v: string | undefined) => v?.trim() ? Number(v) : undefined;

/**
 * A small form for the admin API: the API's field errors go next to their fields
 * (aria-invalid, aria-describedby), anything else into an alert at the top of the form.
 */
export function InlineForm(
  { id, label, fields, submitLabel, onSubmit, onCancel, resetOnSuccess }: InlineFormProps,
) {
  const initial = () => Object.fromEntries(fields.map((f) => [f.name, f.value ?? ""]));
  const values = useSignal<Record<string, string>>(initial());
  const errors = useSignal<FieldError[]>([]);
  const alert = useSignal<string[] | null>(null);
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);

  // Opening a form is a request to type into it. A layout effect, not an effect: focus moves
  // in the render's own task, never after the user (or a test) has started typing elsewhere.
  useLayoutEffect(() => {
    form.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    errors.value = [];
    alert.value = null;
    try {
      await onSubmit(values.value);
      if (resetOnSuccess) values.value = initial();
    } catch (err) {
      const all = err instanceof ApiError ? err.errors : [];
      const mine = all.filter((fe) => fields.some((f) => f.name === fe.field));
      const rest = all.filter((fe) => !mine.includes(fe));
      errors.value = mine;
      // A field error says it all; the title is for problems no field explains.
      if (!mine.length || rest.length) {
        alert.value = [describeError(err), ...rest.map((fe) => `${fe.field}: ${fe.message}`)];
      }
      // Wait for the render that marks the fields, then go where the user must act.
      setTimeout(() => form.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
    } finally {
      busy.value = false;
    }
  }

  return (
    <form
      ref={form}
      class="inline-form"
      aria-label={label}
      noValidate
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key !== "Escape" || !onCancel) return;
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }}
    >
      {alert.value && (
        <div role="alert" class="flash error form-alert">
          {alert.value.map((line) => <div key={line}>{line}</div>)}
        </div>
      )}
      {fields.map((f) => {
        const inputId = `${id}-${f.name}`;
        const error = errors.value.find((fe) => fe.field === f.name)?.message;
        const describedBy = [error && `${inputId}-error`, f.hint && `${inputId}-hint`]
          .filter(Boolean).join(" ");
        return (
          <div class="field" key={f.name}>
            <label for={inputId}>
              {f.label}
              {f.optional && <span class="muted">{OPTIONAL}</span>}
            </label>
            <input
              id={inputId}
              name={f.name}
              type={f.type ?? "text"}
              inputMode={f.type === "number" ? "numeric" : undefined}
              min={f.type === "number" ? 1 : undefined}
              autocomplete="off"
              required={!f.optional}
              list={f.options ? `${inputId}-options` : undefined}
              value={values.value[f.name]}
              onInput={(e) => values.value = { ...values.value, [f.name]: e.currentTarget.value }}
              aria-invalid={error ? "true" : undefined}
              aria-describedby={describedBy || undefined}
            />
            {f.options && (
              <datalist id={`${inputId}-options`}>
                {f.options.map((o) => <option key={o} value={o} />)}
              </datalist>
            )}
            {f.hint && <span id={`${inputId}-hint`} class="hint">{f.hint}</span>}
            {error && <span id={`${inputId}-error`} class="field-error">{error}</span>}
          </div>
        );
      })}
      <div class="form-buttons">
        <button type="submit" aria-disabled={busy.value ? "true" : undefined}>
          {busy.value ? "Saving…" : submitLabel}
        </button>
        {onCancel && <button type="button" class="secondary" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
