import type { CustomerHit } from "../../members/customers.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { CustomerStatusBadge } from "./CustomerStatusBadge.tsx";

export interface CustomerSearchProps {
  group: MerchantGroup;
  settings: LoyaltySettings;
  q: string;
  /** One page of the customers `q` finds. */
  hits: CustomerHit[];
  pageSize: number;
  nextCursor: string | null;
}

/** The search form over a group's customers, the page of hits, and the link to the next. */
export function CustomerSearch(
  { group, settings, q, hits, pageSize, nextCursor }: CustomerSearchProps,
) {
  const base = `/console/customers?group=${group.id}`;
  return (
    <section class="card">
      <form method="get" action="/console/customers" class="row" role="search">
        <input type="hidden" name="group" value={group.id} />
        <label class="wide">
          Find a customer
          <input
            name="q"
            type="search"
            value={q}
            maxLength={200}
            aria-describedby="q-hint"
          />
          <span id="q-hint" class="hint">
            Customer or card number, the start of any word of the name (a surname too), part of the
            email, or a phone number, also as written locally.
          </span>
        </label>
        <button type="submit">Search</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Name</th>
            <th>Email</th>
            <th>Phone</th>
            <th>{settings.categoryNames[0] || "Category 1"}</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {hits.map((h) => (
            <tr>
              <td>
                <a href={`/console/customers/${h.id}`}>{h.number}</a>
              </td>
              <td>{h.name}</td>
              <td>{h.email}</td>
              <td>{h.phone}</td>
              <td>{h.categories[0]}</td>
              <td>
                <CustomerStatusBadge customer={h} settings={settings} />
              </td>
            </tr>
          ))}
          {hits.length === 0 && (
            <tr>
              <td colSpan={6}>{q ? "No customer matches." : "No customers yet."}</td>
            </tr>
          )}
        </tbody>
      </table>
      {nextCursor && (
        <p>
          <a
            href={`${base}&q=${encodeURIComponent(q)}&cursor=${nextCursor}`}
            rel="next"
          >
            Next {pageSize} →
          </a>
        </p>
      )}
    </section>
  );
}
