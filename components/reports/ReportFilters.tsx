import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { FilterInput, ReportStore } from "../../reports/filters.ts";
import { GroupSelect } from "../GroupChooser.tsx";

export interface ReportFiltersProps {
  groups: MerchantGroup[];
  group: MerchantGroup;
  orgNames: Map<string, string>;
  stores: ReportStore[];
  categories: string[];
  /** What was asked, as typed (the defaults filled in when valid). */
  values: FilterInput;
  errors: FieldError[];
}

function FieldErrorOf({ errors, field }: { errors: FieldError[]; field: string }) {
  const e = errors.find((x) => x.field === field);
  return e ? <span id={`${field}-error`} class="field-error">{e.message}</span> : null;
}

const invalid = (errors: FieldError[], field: string) =>
  errors.some((e) => e.field === field)
    ? { "aria-invalid": "true" as const, "aria-describedby": `${field}-error` }
    : {};

/** The reports' filters: a GET form, so a filtered page is a link and works without JavaScript. */
export function ReportFilters(
  { groups, group, orgNames, stores, categories, values, errors }: ReportFiltersProps,
) {
  return (
    <form method="get" action="/console/reports" class="card report-filters">
      <div class="row">
        <GroupSelect groups={groups} current={group} orgNames={orgNames} />
        <label>
          From
          <input type="date" name="from" value={values.from} {...invalid(errors, "from")} />
          <FieldErrorOf errors={errors} field="from" />
        </label>
        <label>
          To
          <input type="date" name="to" value={values.to} {...invalid(errors, "to")} />
          <FieldErrorOf errors={errors} field="to" />
        </label>
        <label>
          Store
          <select name="store" {...invalid(errors, "store")}>
            <option value="">All stores</option>
            {stores.map((s) => (
              <option value={s.id} selected={s.id === values.store}>{s.number} {s.name}</option>
            ))}
          </select>
          <FieldErrorOf errors={errors} field="store" />
        </label>
        <label>
          Customer type
          <select name="category" {...invalid(errors, "category")}>
            <option value="">All customers</option>
            {[...new Set([...categories, ...values.category ? [values.category] : []])].map((
              code,
            ) => <option key={code} value={code} selected={code === values.category}>{code}
            </option>)}
          </select>
          <FieldErrorOf errors={errors} field="category" />
        </label>
        <button type="submit">Show</button>
      </div>
      <p class="hint">
        Trading days on the stores' clocks, both included (the last 30 by default). With a customer
        type, anonymous sales are left out.
      </p>
    </form>
  );
}
