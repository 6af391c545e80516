import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";

/** The inputs of the customer's five categories, in order. */
export const CATEGORY_FIELDS = ["category1", "category2", "category3", "category4", "category5"];

type FormValues = Record<string, string>;

/** The API's field names as the form's: `categories.i` is the input `category{i+1}`. */
export function formErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => {
    const m = /^categories(?:\.(\d+))?/.exec(e.field);
    return m ? { ...e, field: `category${Number(m[1] ?? 0) + 1}` } : e;
  });
}

/** A labelled text input with its error tied to it; optional unless `required`. */
export function TextField(
  { label, name, form, errors, hint, required, inputMode }: {
    label: string;
    name: string;
    form: FormValues;
    errors: FieldError[];
    hint?: string;
    required?: boolean;
    inputMode?: "numeric" | "email" | "tel";
  },
) {
  const error = errors.find((e) => e.field === name)?.message;
  return (
    <label>
      {label}
      <input
        name={name}
        type={inputMode === "email" ? "email" : inputMode === "tel" ? "tel" : "text"}
        inputMode={inputMode}
        value={form[name] ?? ""}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
      />
      {hint && !error && <span class="hint">{hint}</span>}
      {error && <span id={`${name}-error`} class="field-error">{error}</span>}
    </label>
  );
}

/** Categories 1–5 by the names of the settings; category 1 (the customer type) required. */
export function CategoryFields(
  { settings, form, errors }: {
    settings: Pick<LoyaltySettings, "categoryNames">;
    form: FormValues;
    errors: FieldError[];
  },
) {
  return (
    <div class="row">
      {CATEGORY_FIELDS.map((name, i) => (
        <TextField
          label={settings.categoryNames[i] || `Category ${i + 1}`}
          name={name}
          form={form}
          errors={errors}
          required={i === 0}
          hint={i === 0 ? "code of the customer type" : "code"}
        />
      ))}
    </div>
  );
}

/** The form that creates a customer in `group`; `form` and `errors` are a refused attempt. */
export function NewCustomerForm(
  { group, settings, form, errors: apiErrors, csrf }: {
    group: MerchantGroup;
    settings: LoyaltySettings;
    form: FormValues;
    /** As the API names the fields (`categories.0`, shown at the input `category1`). */
    errors: FieldError[];
    csrf?: string;
  },
) {
  const errors = formErrors(apiErrors);
  return (
    <section class="card" id="new">
      <h2>New customer</h2>
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was created: correct the fields marked below.
        </p>
      )}
      <form method="post" action={`/console/customers?group=${group.id}#new`}>
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="row">
          <TextField
            label="Name"
            name="name"
            form={form}
            errors={errors}
            required
          />
          <TextField
            label="Customer number"
            name="number"
            form={form}
            errors={errors}
            hint="leave empty to generate one"
          />
          <TextField
            label="Email"
            name="email"
            form={form}
            errors={errors}
            inputMode="email"
          />
          <TextField label="Phone" name="phone" form={form} errors={errors} inputMode="tel" />
          <TextField
            label="Home store number"
            name="homeStoreNumber"
            form={form}
            errors={errors}
            inputMode="numeric"
          />
        </div>
        <CategoryFields settings={settings} form={form} errors={errors} />
        <button type="submit">Create customer</button>
      </form>
    </section>
  );
}
