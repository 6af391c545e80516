import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { ProgrammeStore } from "../../wholesale/till.ts";

/** How many line rows the form offers; rows left empty are not sent. */
export const FORM_LINES = 6;

type FormValues = Record<string, string>;

const errorOf = (errors: FieldError[], field: string) =>
  errors.find((e) => e.field === field)?.message;

function FieldMessage({ errors, field }: { errors: FieldError[]; field: string }) {
  const message = errorOf(errors, field);
  return message ? <span id={`${field}-error`} class="field-error">{message}</span> : null;
}

/** Attributes tying an input to its error for screen readers. */
const described = (errors: FieldError[], field: string) =>
  errorOf(errors, field)
    ? { "aria-invalid": "true" as const, "aria-describedby": `${field}-error` }
    : {};

/**
 * The form that writes a draft order in `group`: the member, the pickup or delivery store, and
 * lines of SKU and quantity, priced at the wholesale price level when saved. `form` and
 * `errors` are a refused attempt, errors named as the API names them (`lines.0.sku`).
 */
export function NewOrderForm(
  { group, stores, priceLevel, form, errors, csrf }: {
    group: MerchantGroup;
    stores: ProgrammeStore[];
    priceLevel: number;
    form: FormValues;
    errors: FieldError[];
    csrf?: string;
  },
) {
  const value = (k: string) => form[k] ?? "";
  return (
    <section class="card" id="new">
      <h2>New order</h2>
      <p class="hint">
        Lines are priced at sell price level{" "}
        {priceLevel}, the wholesale price level of the settings. Accepting the order records it as a
        sale, invoiced on account.
      </p>
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was created: correct the fields marked below.
        </p>
      )}
      <form method="post" action={`/console/wholesale-orders?group=${group.id}#new`}>
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="row">
          <label>
            Customer number
            <input
              name="customerNumber"
              value={value("customerNumber")}
              required
              {...described(errors, "customerNumber")}
            />
            <FieldMessage errors={errors} field="customerNumber" />
          </label>
          <label>
            Pickup or delivery store
            <select name="location" required {...described(errors, "location")}>
              {stores.map((s) => (
                <option value={String(s.number)} selected={value("location") === String(s.number)}>
                  {`${s.number} ${s.name}`}
                </option>
              ))}
            </select>
            <FieldMessage errors={errors} field="location" />
          </label>
          <label>
            Fulfilment
            <select name="fulfilment">
              <option value="pickup" selected={value("fulfilment") !== "delivery"}>Pickup</option>
              <option value="delivery" selected={value("fulfilment") === "delivery"}>
                Delivery
              </option>
            </select>
          </label>
          <label>
            Currency
            <input
              name="currency"
              value={form.currency ?? "EUR"}
              required
              size={4}
              {...described(errors, "currency")}
            />
            <FieldMessage errors={errors} field="currency" />
          </label>
          <label>
            Note
            <input name="note" value={value("note")} />
          </label>
        </div>
        <table class="order-lines">
          <thead>
            <tr>
              <th>SKU</th>
              <th>Quantity</th>
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: FORM_LINES }, (_, i) => (
              <tr>
                <td>
                  <input
                    name={`sku${i}`}
                    aria-label={`Line ${i + 1} SKU`}
                    value={value(`sku${i}`)}
                    {...described(errors, `lines.${i}.sku`)}
                  />
                  <FieldMessage errors={errors} field={`lines.${i}.sku`} />
                </td>
                <td>
                  <input
                    name={`quantity${i}`}
                    aria-label={`Line ${i + 1} quantity`}
                    inputMode="numeric"
                    value={value(`quantity${i}`)}
                    {...described(errors, `lines.${i}.quantity`)}
                  />
                  <FieldMessage errors={errors} field={`lines.${i}.quantity`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FieldMessage errors={errors} field="lines" />
        <button type="submit">Create order</button>
      </form>
    </section>
  );
}
