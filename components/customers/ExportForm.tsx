import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";

type FormValues = Record<string, string>;

/** The error of one field, tied to its input. */
function errorOf(errors: FieldError[], name: string) {
  const message = errors.find((e) => e.field === name)?.message;
  return {
    message,
    attrs: message
      ? { "aria-invalid": true as const, "aria-describedby": `export-${name}-error` }
      : {},
    node: message && <span id={`export-${name}-error`} class="field-error">{message}</span>,
  };
}

function DateField(
  { label, name, form, errors }: {
    label: string;
    name: string;
    form: FormValues;
    errors: FieldError[];
  },
) {
  const error = errorOf(errors, name);
  return (
    <label>
      {label}
      <input type="date" name={name} value={form[name] ?? ""} {...error.attrs} />
      {error.node}
    </label>
  );
}

/**
 * The member export: filters by home store (required when the settings say so), category,
 * creation and last visit (days in UTC), sent as a plain GET that downloads the CSV; a refused
 * export comes back with `form` and `errors`.
 */
export function ExportForm(
  { group, settings, stores, form, errors }: {
    group: MerchantGroup;
    settings: LoyaltySettings;
    stores: { number: number; name: string }[];
    form: FormValues;
    errors: FieldError[];
  },
) {
  const required = settings.exportCustomersRequiresLocation;
  const store = errorOf(errors, "homeStoreNumber");
  const code = errorOf(errors, "categoryCode");
  const slot = errorOf(errors, "categoryNumber");
  return (
    <section class="card" id="export">
      <h2 id="export-heading">Export members</h2>
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was exported: correct the fields marked below.
        </p>
      )}
      <form method="get" action="/console/customers/export" aria-labelledby="export-heading">
        <input type="hidden" name="group" value={group.id} />
        <div class="row">
          <label>
            Home store{required && " (required by the settings)"}
            <select name="homeStoreNumber" required={required} {...store.attrs}>
              <option value="">{required ? "Choose a store" : "Any store"}</option>
              {stores.map((s) => (
                <option
                  value={String(s.number)}
                  selected={form.homeStoreNumber === String(s.number)}
                >
                  {s.number} {s.name}
                </option>
              ))}
            </select>
            {store.node}
          </label>
          <label>
            Category
            <select name="categoryNumber" {...slot.attrs}>
              {settings.categoryNames.map((name, i) => (
                <option
                  value={String(i + 1)}
                  selected={(form.categoryNumber || "1") === String(i + 1)}
                >
                  {name || `Category ${i + 1}`}
                </option>
              ))}
            </select>
            {slot.node}
          </label>
          <label>
            Category code
            <input
              name="categoryCode"
              value={form.categoryCode ?? ""}
              maxLength={20}
              {...code.attrs}
            />
            {code.node ?? <span class="hint">any member when empty</span>}
          </label>
        </div>
        <div class="row">
          <DateField label="Created from" name="createdFrom" form={form} errors={errors} />
          <DateField label="Created to" name="createdTo" form={form} errors={errors} />
          <DateField label="Last visit from" name="lastVisitFrom" form={form} errors={errors} />
          <DateField label="Last visit to" name="lastVisitTo" form={form} errors={errors} />
        </div>
        <p class="hint">
          A CSV (UTF-8) of the members the filters select, one row each: numbers, cards, contact,
          categories, home store, points, key line total and statistics. Dates are whole days in
          UTC. Every export is recorded in the audit log.
        </p>
        <button type="submit">Export CSV</button>
      </form>
    </section>
  );
}
