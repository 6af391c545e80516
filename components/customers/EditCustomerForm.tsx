import type { FieldError } from "../../errors/problem.ts";
import type { Customer } from "../../members/customers.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { CATEGORY_FIELDS, CategoryFields, formErrors, TextField } from "./NewCustomerForm.tsx";

type FormValues = Record<string, string>;

/** The customer's editable fields as the form's text. */
export function customerForm(c: Customer): FormValues {
  const out: FormValues = { name: c.name, email: c.email ?? "", phone: c.phone ?? "" };
  CATEGORY_FIELDS.forEach((name, i) => out[name] = c.categories[i] ?? "");
  return out;
}

/**
 * Changes the customer's name, email, phone and categories; `form` and `errors` are a refused
 * attempt (errors as the API names the fields).
 */
export function EditCustomerForm(
  { customer, settings, form, errors: apiErrors, csrf }: {
    customer: Customer;
    settings: LoyaltySettings;
    form?: FormValues;
    errors: FieldError[];
    csrf?: string;
  },
) {
  const errors = formErrors(apiErrors);
  const values = form ?? customerForm(customer);
  return (
    <section class="card" id="edit" aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit details</h2>
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was changed: correct the fields marked below.
        </p>
      )}
      <form
        method="post"
        action={`/console/customers/${customer.id}/edit#edit`}
        aria-labelledby="edit-heading"
      >
        <input type="hidden" name="_csrf" value={csrf} />
        <div class="row">
          <TextField label="Name" name="name" form={values} errors={errors} required />
          <TextField
            label="Email"
            name="email"
            form={values}
            errors={errors}
            inputMode="email"
            hint="empty clears it"
          />
          <TextField
            label="Phone"
            name="phone"
            form={values}
            errors={errors}
            inputMode="tel"
            hint="empty clears it"
          />
        </div>
        <CategoryFields settings={settings} form={values} errors={errors} />
        <button type="submit">Save details</button>
      </form>
    </section>
  );
}
