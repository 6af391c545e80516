import type { FieldError } from "../../errors/problem.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { SettingsVersion } from "../../programme/settings.ts";
import { when } from "../../web/format.ts";
import { Setting, type SettingKey } from "./SettingField.tsx";

/** The sections of seed 004, in its order. */
const GROUPS: { title: string; intro: string; keys: SettingKey[] }[] = [
  {
    title: "Categories",
    intro: "Every customer has five categories; these name them on the customer screens.",
    keys: ["categoryNames", "exportCustomersRequiresLocation"],
  },
  {
    title: "Customers and loyalty",
    intro: "Who is a member, what new customers get, and how points are counted.",
    keys: [
      "generateAutomaticCustomerCard",
      "defaultAccountType",
      "maxAccountsPerCustomer",
      "nonLoyaltyCategoryCodes",
      "multipleSalesInOneDayCountAsOneVisit",
      "staffLoyaltyCategoryCodes",
      "staffLoyaltyDefaultLocation",
      "showKeyLineTotal",
      "keyLineTotalReferenceMatch",
      "calcPointsOnDiscountedItems",
      "originalReceiptReturnReturnsOriginalPoints",
      "roundingRule",
      "pointValue",
      "pointsEarnedOnPartPaidWithPoints",
      "sendNewMemberEmail",
    ],
  },
  {
    title: "Wholesale",
    intro: "Back-office customer orders: where they are recorded when their store has no " +
      "till, and at which price.",
    keys: [
      "wholesale.location",
      "wholesale.tillCode",
      "wholesale.tillNumber",
      "wholesale.operatorNumber",
      "wholesale.priceLevel",
    ],
  },
];

interface SettingsFormProps {
  group: MerchantGroup;
  /** The group as the page names it (after its organization when there are several). */
  groupName: string;
  current: SettingsVersion;
  canManage: boolean;
  /** The form's text: the current settings, or what the user sent when it came back. */
  form: Record<string, string>;
  /** The version the form saves against. */
  version?: string;
  errors: FieldError[];
  /** The version someone else saved while the user edited: their changes were not saved. */
  staleAt?: number;
  csrf?: string;
  /** The clock the save time is read on: the programme's. */
  timeZone: string;
}

/** A group's settings, which version they are at, and the form that saves them. */
export function SettingsForm(
  { group, groupName, current, canManage, form, version, errors, staleAt, csrf, timeZone }:
    SettingsFormProps,
) {
  const reload = `/console/settings?group=${group.id}`;
  return (
    <>
      <p class="intro">
        <strong>{groupName}</strong> · version {current.version}, saved{" "}
        <time datetime={current.updatedAt.toISOString()}>{when(current.updatedAt, timeZone)}</time>
        {" "}
        · <a href={`/console/audit?entity=loyalty-settings&entityId=${group.id}`}>history</a>
      </p>
      {!canManage && (
        <p class="flash" role="status">
          Your role can read these settings but not change them.
        </p>
      )}
      {staleAt !== undefined && (
        <div class="flash error" role="alert">
          <p>
            Someone saved these settings after you opened this page (they are now at version{" "}
            {staleAt}), so your changes were not saved.
          </p>
          <p>
            <a href={reload}>Reload the current settings</a>, then make your changes again.
          </p>
        </div>
      )}
      {errors.length > 0 && (
        <p class="flash error" role="alert">
          Nothing was saved: correct the fields marked below.
        </p>
      )}
      <form
        method="post"
        action={`/console/settings/${group.id}`}
        class="settings-form"
        id="settings-form"
      >
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="version" value={version} />
        {GROUPS.map((g) => (
          <fieldset class="card">
            <legend>{g.title}</legend>
            <p class="hint">{g.intro}</p>
            {g.keys.map((k) => (
              <Setting key={k} k={k} form={form} errors={errors} readOnly={!canManage} />
            ))}
          </fieldset>
        ))}
        {canManage && <button type="submit">Save settings</button>}
      </form>
    </>
  );
}
