import { when } from "../../web/format.ts";
import type { Account } from "../../members/accounts.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";

/** A customer's accounts, and the form that opens another when the viewer may. */
export function CustomerAccounts(
  { customerId, accounts, settings, canOpen, csrf, timeZone }: {
    customerId: string;
    accounts: Account[];
    /** The clock the dates are read on: the programme's. */
    timeZone: string;
    settings: LoyaltySettings;
    canOpen: boolean;
    csrf?: string;
  },
) {
  return (
    <section class="card">
      <h2>Accounts</h2>
      <table>
        <thead>
          <tr>
            <th>Type</th>
            <th>Opened</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr>
              <td>{a.type}</td>
              <td>{when(a.created_at, timeZone)}</td>
            </tr>
          ))}
          {accounts.length === 0 && (
            <tr>
              <td colSpan={2}>No accounts.</td>
            </tr>
          )}
        </tbody>
      </table>
      {canOpen && (
        <form method="post" action={`/console/customers/${customerId}/accounts`} class="row">
          <input type="hidden" name="_csrf" value={csrf} />
          <label>
            Account type
            <input name="type" maxLength={20} placeholder={settings.defaultAccountType} />
            <span class="hint">
              empty: the default type, {settings.defaultAccountType}
              {settings.maxAccountsPerCustomer > 0 &&
                ` (at most ${settings.maxAccountsPerCustomer} accounts per customer)`}
            </span>
          </label>
          <button type="submit">Open account</button>
        </form>
      )}
    </section>
  );
}
