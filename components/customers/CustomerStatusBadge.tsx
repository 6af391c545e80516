import type { Customer } from "../../members/customers.ts";
import { customerStatus, type LoyaltySettings } from "../../programme/settings_schema.ts";

/** Staff, member or non-member, as the group's settings class the customer's categories. */
export function CustomerStatusBadge(
  { customer, settings }: { customer: Pick<Customer, "categories">; settings: LoyaltySettings },
) {
  const { member, staff } = customerStatus(settings, customer.categories);
  if (staff) return <span class="badge">staff</span>;
  return member
    ? <span class="badge">member</span>
    : <span class="badge disabled">non-member</span>;
}
