import type { CustomerDetail } from "../../members/customers.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { CustomerAccounts } from "./CustomerAccounts.tsx";
import { CustomerStatusBadge } from "./CustomerStatusBadge.tsx";
import { LoyaltyCards } from "./LoyaltyCards.tsx";

/** One customer's page: contact details and status, categories, accounts and cards. */
export function CustomerProfile(
  { detail, categories, settings, group, canManage, csrf }: {
    detail: CustomerDetail;
    /** The customer's category codes, each with the name the group's settings give it. */
    categories: { code: string | null; name: string }[];
    settings: LoyaltySettings;
    group: MerchantGroup;
    canManage: boolean;
    csrf?: string;
  },
) {
  const c = detail.customer;
  return (
    <>
      <p class="intro">
        <a href={`/console/customers?group=${group.id}`}>← Customers of {group.name}</a>
      </p>
      <section class="card">
        <table>
          <tbody>
            <tr>
              <th>Customer number</th>
              <td>{c.number}</td>
            </tr>
            <tr>
              <th>Email</th>
              <td>{c.email ?? "—"}</td>
            </tr>
            <tr>
              <th>Phone</th>
              <td>{c.phone ?? "—"}</td>
            </tr>
            <tr>
              <th>Home store</th>
              <td>{detail.homeStoreNumber ?? "—"}</td>
            </tr>
            <tr>
              <th>Status</th>
              <td>
                <CustomerStatusBadge customer={c} settings={settings} />
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Categories</h2>
        <table>
          <thead>
            <tr>
              <th>Category</th>
              <th>Code</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((cat, i) => (
              <tr>
                <td>{cat.name || `Category ${i + 1}`}</td>
                <td>{cat.code ?? <span class="muted">not set</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <CustomerAccounts
        customerId={c.id}
        accounts={detail.accounts}
        settings={settings}
        canOpen={canManage}
        csrf={csrf}
      />
      <LoyaltyCards cards={detail.cards} />
    </>
  );
}
