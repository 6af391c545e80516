import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import { Field } from "../Field.tsx";
import { TYPE_LABELS } from "./format.ts";

/**
 * The fields the form shows errors beside; any other error is listed above the form. The coupon
 * fields are named by their place in the API's body, so its errors land beside them.
 */
const FIELDS = [
  "name",
  "type",
  "prefix",
  "currency",
  "initialValue",
  "expiryDays",
  "maxUses",
  "benefit",
  "benefit.kind",
  "benefit.amount",
  "benefit.percent",
  "benefit.points",
  "benefit.selector.skus",
  "benefit.selector.categories",
  "startsAt",
  "fullReturnRestoresUses",
];

const BENEFIT_KINDS = {
  amountOff: "An amount off",
  percentOff: "A percent off",
  bonusPoints: "Bonus points",
};

/**
 * An optional input with its hint until it has an error: a number typed as text (amounts have
 * decimals), or text of another `type`.
 */
function OptionalInput(
  { name, label, value, hint, errors, type }: {
    name: string;
    label: string;
    value?: string;
    hint: string;
    errors?: FieldError[];
    type?: string;
  },
) {
  const error = errors?.find((e) => e.field === name)?.message;
  return (
    <label>
      {label}
      <input
        name={name}
        type={type}
        inputMode={type ? undefined : "decimal"}
        class={type ? undefined : "number"}
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
  { group, timeZone, csrf, values = {}, errors }: {
    group: MerchantGroup;
    /** The programme's clock, which "Usable from" is typed on. */
    timeZone: string;
    csrf?: string;
    values?: Record<string, string>;
    errors?: FieldError[];
  },
) {
  const typeError = errors?.find((e) => e.field === "type")?.message;
  const kindError = errors?.find((e) => e.field === "benefit" || e.field === "benefit.kind")
    ?.message;
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
          <OptionalInput
            name="initialValue"
            label="Initial value"
            value={values.initialValue ?? "0"}
            hint="Loaded when a card is activated, e.g. 25.00"
            errors={errors}
          />
          <OptionalInput
            name="expiryDays"
            label="Expires after (days)"
            value={values.expiryDays}
            hint="1–3650; empty: never"
            errors={errors}
          />
          <OptionalInput
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
        <fieldset>
          <legend>Coupons: what a coupon gives, and from when</legend>
          <div class="row">
            <label>
              A coupon gives
              <select
                name="benefit.kind"
                aria-invalid={kindError ? "true" : undefined}
                aria-describedby={kindError ? "benefit.kind-error" : undefined}
              >
                <option value="">—</option>
                {Object.entries(BENEFIT_KINDS).map(([kind, label]) => (
                  <option value={kind} selected={values["benefit.kind"] === kind}>{label}</option>
                ))}
              </select>
              {kindError && <span id="benefit.kind-error" class="field-error">{kindError}</span>}
            </label>
            <OptionalInput
              name="benefit.amount"
              label="Amount off"
              value={values["benefit.amount"]}
              hint="e.g. 5.00; never more than the basket"
              errors={errors}
            />
            <OptionalInput
              name="benefit.percent"
              label="Percent off"
              value={values["benefit.percent"]}
              hint="e.g. 10 or 12.5, of the lines below"
              errors={errors}
            />
            <OptionalInput
              name="benefit.points"
              label="Bonus points"
              value={values["benefit.points"]}
              hint="For the member, e.g. 50"
              errors={errors}
            />
          </div>
          <div class="row">
            <OptionalInput
              type="text"
              name="benefit.selector.skus"
              label="Percent off of SKUs"
              value={values["benefit.selector.skus"]}
              hint="Comma-separated; empty: every line"
              errors={errors}
            />
            <OptionalInput
              type="text"
              name="benefit.selector.categories"
              label="or of categories"
              value={values["benefit.selector.categories"]}
              hint="Comma-separated item categories"
              errors={errors}
            />
            <label class="check">
              <input
                type="checkbox"
                name="benefit.selector.excludeDiscounted"
                checked={!!values["benefit.selector.excludeDiscounted"]}
              />
              Not on discounted lines
            </label>
            <OptionalInput
              type="datetime-local"
              name="startsAt"
              label={`Usable from (${timeZone})`}
              value={values.startsAt}
              hint="Empty: at once"
              errors={errors}
            />
          </div>
          <div class="row">
            <label class="check">
              <input
                type="checkbox"
                name="fullReturnRestoresUses"
                checked={!!values.fullReturnRestoresUses}
              />
              A full return of the sale gives the coupon its use back (unless it has expired)
            </label>
          </div>
        </fieldset>
        <button type="submit">Create series</button>
      </form>
    </section>
  );
}
