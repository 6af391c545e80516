import type { FieldError } from "../errors/problem.ts";

export interface FieldProps {
  label: string;
  name: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  errors?: FieldError[];
  hint?: string;
}

/** A labelled input with its error shown next to it and tied to it for screen readers. */
export function Field(
  { label, name, type = "text", value, autocomplete, errors, hint }: FieldProps,
) {
  const error = errors?.find((e) => e.field === name)?.message;
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <input
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? errorId : undefined}
        required
      />
      {hint && !error && <span class="hint">{hint}</span>}
      {error && <span id={errorId} class="field-error">{error}</span>}
    </label>
  );
}
