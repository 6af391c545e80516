import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import { Field } from "../Field.tsx";
import { TYPE_LABELS } from "./format.ts";

/** The fields the form shows errors beside; any other error is listed above the form. */
const FIELDS = ["name", "type", "prefix", "currency", "initialValue", "expiryDays", "maxUses"];

/** A number typed as text (amounts have decimals), with its hint until it has an error. */
function NumberInput(
  { name, label, value, hint, errors }: {
    name: string;
    label: string;
    value?: string;
    hint: string;
    errors?: FieldError[];
  },
) {
  const error = errors?.find((e) => e.field === name)?.message;
  return (
    <label>
      {label}
      <input
        name={name}
        inputMode="decimal"
        class="number"
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${name}-error` : `${name}-hint`}
      />
      {!error && <span id={`${name}-hint`} class="hint">{hint}</span>}
      {error && <span id={`${name}-error`} class="field-error">{error}</span>}
    </label>
  );
}

/** The form that creates a series in `group`; `values` and `errors` are a refused attempt. */
export function NewSeriesForm(
  { group, csrf, values = {}, errors }: {
    group: MerchantGroup;
    csrf?: string;
    values?: Record<string, string>;
    errors?: FieldError[];
  },
) {
  const typeError = errors?.find((e) => e.field === "type")?.message;
  const other = errors?.filter((e) => !FIELDS.includes(e.field));
  return (
    <section class="card" aria-labelledby="new-series">
      <h2 id="new-series">New series</h2>
      {other?.length
        ? (
          <p role="alert" class="flash error">
            {other.map((e) => `${e.field}: ${e.message}`).join("; ")}
          </p>
        )
        : null}
      <form method="post" action={`/console/series/${group.id}`} class="series-form">
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="row">
          <Field label="Name" name="name" value={values.name} errors={errors} />
          <label>
            Instrument type
            <select
              name="type"
              aria-invalid={typeError ? "true" : undefined}
              aria-describedby={typeError ? "type-error" : undefined}
            >
              {Object.entries(TYPE_LABELS).map(([t, label]) => (
                <option value={t} selected={values.type === t}>{label}</option>
              ))}
            </select>
            {typeError && <span id="type-error" class="field-error">{typeError}</span>}
          </label>
          <Field
            label="Number prefix"
            name="prefix"
            value={values.prefix}
            errors={errors}
            hint="1–8 digits; coupons: 2–9, A–Z but I, L, O"
          />
          <Field
            label="Currency"
            name="currency"
            value={values.currency ?? "EUR"}
            errors={errors}
            hint="ISO 4217 code, e.g. EUR"
          />
        </div>
        <div class="row">
          <NumberInput
            name="initialValue"
            label="Initial value"
            value={values.initialValue ?? "0"}
            hint="Loaded when a card is activated, e.g. 25.00"
            errors={errors}
          />
          <NumberInput
            name="expiryDays"
            label="Expires after (days)"
            value={values.expiryDays}
            hint="1–3650; empty: never"
            errors={errors}
          />
          <NumberInput
            name="maxUses"
            label="Uses per coupon"
            value={values.maxUses}
            hint="Coupons only; empty: single use"
            errors={errors}
          />
          <label class="check">
            <input type="checkbox" name="unlimitedUses" checked={!!values.unlimitedUses} />
            Unlimited uses (coupons)
          </label>
        </div>
        <button type="submit">Create series</button>
      </form>
    </section>
  );
}
