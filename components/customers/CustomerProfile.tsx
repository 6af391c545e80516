import type { CustomerDetail } from "../../members/customers.ts";
import type { MerchantGroup } from "../../programme/groups.ts";
import type { LoyaltySettings } from "../../programme/settings_schema.ts";
import { CustomerAccounts } from "./CustomerAccounts.tsx";
import { CustomerStatusBadge } from "./CustomerStatusBadge.tsx";
import { LoyaltyCards } from "./LoyaltyCards.tsx";
import type { CustomerFigures as Figures } from "../../members/statistics.ts";
import type { CustomerSale, StatementLine } from "../../members/profile.ts";
import type { FieldError } from "../../errors/problem.ts";
import { CustomerFigures } from "./CustomerFigures.tsx";
import { PointsStatement } from "./PointsStatement.tsx";
import { CustomerSales } from "./CustomerSales.tsx";
import { AdjustmentForm } from "./AdjustmentForm.tsx";
import { EditCustomerForm } from "./EditCustomerForm.tsx";
import type { VNode } from "preact";

/** What the profile shows of the customer's points and sales. */
export interface ProfilePoints {
  figures: Figures;
  statement: { lines: StatementLine[]; next: number | null; paged: boolean };
  sales: { items: CustomerSale[]; more: boolean };
  /** The adjustment form when the viewer may adjust, with a refused attempt. */
  adjust?: { form: Record<string, string>; errors: FieldError[] };
  /** Names of the rules the statement's entries name by id. */
  ruleNames: Map<string, string>;
  /** The programme's clock, which the profile's dates are read on (groupTimeZone). */
  timeZone: string;
}

/** What the viewer may change of the customer, with a refused edit. */
export interface ProfileChanges {
  /** The edit form (customers:manage), with a refused attempt. */
  edit?: { form?: Record<string, string>; errors: FieldError[] };
  /** Blocking a loyalty card (instruments:block). */
  canBlock: boolean;
}

/**
 * One customer's page: contact details and status, balances and statistics, categories,
 * accounts and cards, the points statement, sales and returns, and the adjustment form.
 */
export function CustomerProfile(
  { detail, categories, settings, group, canManage, csrf, points, changes, confirm }: {
    points: ProfilePoints;
    changes: ProfileChanges;
    /** A confirmation step the last post asks for, shown first. */
    confirm?: VNode;
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
      {confirm}
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
      <CustomerFigures
        figures={points.figures}
        currency={points.sales.items[0]?.currency}
        keyLineReference={settings.keyLineTotalReferenceMatch}
        timeZone={points.timeZone}
      />
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
        timeZone={points.timeZone}
      />
      <LoyaltyCards
        cards={detail.cards}
        block={changes.canBlock ? { customerId: c.id, csrf } : undefined}
      />
      {changes.edit && (
        <EditCustomerForm customer={c} settings={settings} {...changes.edit} csrf={csrf} />
      )}
      <PointsStatement
        customerId={c.id}
        {...points.statement}
        ruleNames={points.ruleNames}
        timeZone={points.timeZone}
      />
      {points.adjust && <AdjustmentForm customerId={c.id} {...points.adjust} csrf={csrf} />}
      <CustomerSales
        sales={points.sales.items}
        more={points.sales.more}
        timeZone={points.timeZone}
      />
    </>
  );
}
