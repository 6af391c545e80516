import type { FieldError } from "../../errors/problem.ts";
import { ROUNDING_LABELS, SETTING_TEXT } from "../../programme/settings_schema.ts";
import { ROUNDING_MODES } from "../../rules/points.ts";

export type SettingKey = keyof typeof SETTING_TEXT;
/** How a setting is edited in the form, and so how its text is read back. */
type Kind =
  | "names"
  | "check"
  | "text"
  | "codes"
  | "count"
  | "optionalNumber"
  | "rounding"
  | "level";

export const KIND: Record<SettingKey, Kind> = {
  categoryNames: "names",
  exportCustomersRequiresLocation: "check",
  generateAutomaticCustomerCard: "check",
  defaultAccountType: "text",
  maxAccountsPerCustomer: "count",
  nonLoyaltyCategoryCodes: "codes",
  multipleSalesInOneDayCountAsOneVisit: "check",
  staffLoyaltyCategoryCodes: "codes",
  staffLoyaltyDefaultLocation: "optionalNumber",
  showKeyLineTotal: "check",
  keyLineTotalReferenceMatch: "text",
  calcPointsOnDiscountedItems: "check",
  originalReceiptReturnReturnsOriginalPoints: "check",
  roundingRule: "rounding",
  sendNewMemberEmail: "check",
  pointValue: "count",
  pointsEarnedOnPartPaidWithPoints: "check",
  "wholesale.location": "optionalNumber",
  "wholesale.tillCode": "text",
  "wholesale.tillNumber": "optionalNumber",
  "wholesale.operatorNumber": "optionalNumber",
  "wholesale.priceLevel": "level",
};

const CATEGORY_LABELS = [
  "Category 1 (customer type)",
  "Category 2",
  "Category 3",
  "Category 4",
  "Category 5",
];

type FormValues = Record<string, string>;

/** The entries of a "codes" field's text. */
export const codesOf = (text = "") => text.split(",").map((s) => s.trim()).filter(Boolean);

/** The messages for one field; an error on a list entry says which entry. */
function messagesFor(key: string, errors: FieldError[], form: FormValues): string[] {
  return errors.filter((e) => e.field === key || e.field.startsWith(key + ".")).map((e) => {
    if (e.field === key) return e.message;
    const index = Number(e.field.slice(key.length + 1));
    const entry = codesOf(form[key])[index];
    return entry ? `${entry.toUpperCase()}: ${e.message}` : e.message;
  });
}

interface FieldProps {
  name: string;
  label: string;
  help?: string;
  form: FormValues;
  errors: FieldError[];
  readOnly: boolean;
}

function Messages({ id, messages }: { id: string; messages: string[] }) {
  if (!messages.length) return null;
  return <span id={id} class="field-error">{messages.join("; ")}</span>;
}

function Input({ name, label, help, form, errors, readOnly, kind }: FieldProps & { kind: Kind }) {
  const messages = messagesFor(name, errors, form);
  const ids = { help: `${name}-help`, error: `${name}-error` };
  const describedBy = [help && ids.help, messages.length && ids.error].filter(Boolean).join(" ");
  const common = {
    name,
    disabled: readOnly,
    "aria-invalid": messages.length ? "true" as const : undefined,
    "aria-describedby": describedBy || undefined,
  };
  const hint = help && <span id={ids.help} class="hint">{help}</span>;
  if (kind === "check") {
    return (
      <div class="setting">
        <label class="check">
          <input type="checkbox" {...common} checked={form[name] !== undefined} />
          {label}
        </label>
        {hint}
        <Messages id={ids.error} messages={messages} />
      </div>
    );
  }
  let control;
  if (kind === "rounding") {
    control = (
      <select {...common}>
        {ROUNDING_MODES.map((m) => (
          <option value={m} selected={form[name] === m}>{ROUNDING_LABELS[m]}</option>
        ))}
      </select>
    );
  } else if (kind === "level") {
    control = (
      <select {...common}>
        {["1", "2", "3", "4", "5"].map((l) => (
          <option value={l} selected={form[name] === l}>Sell price {l}</option>
        ))}
      </select>
    );
  } else {
    const numeric = kind === "count" || kind === "optionalNumber";
    control = (
      <input
        {...common}
        type="text"
        inputMode={numeric ? "numeric" : undefined}
        value={form[name] ?? ""}
        class={numeric ? "number" : kind === "codes" ? "wide" : undefined}
      />
    );
  }
  return (
    <div class="setting">
      <label>
        {label}
        {control}
      </label>
      {hint}
      <Messages id={ids.error} messages={messages} />
    </div>
  );
}

/** One setting's control with its label, help and errors; the category names are five. */
export function Setting(
  { k, form, errors, readOnly }: {
    k: SettingKey;
    form: FormValues;
    errors: FieldError[];
    readOnly: boolean;
  },
) {
  const { label, help } = SETTING_TEXT[k];
  if (KIND[k] !== "names") {
    return (
      <Input
        name={k}
        label={label}
        help={help}
        form={form}
        errors={errors}
        readOnly={readOnly}
        kind={KIND[k]}
      />
    );
  }
  return (
    <fieldset class="names">
      <legend>{label}</legend>
      <span class="hint">{help}</span>
      <div class="row">
        {CATEGORY_LABELS.map((l, i) => (
          <Input
            name={`categoryNames.${i}`}
            label={l}
            form={form}
            errors={errors}
            readOnly={readOnly}
            kind="text"
          />
        ))}
      </div>
    </fieldset>
  );
}
