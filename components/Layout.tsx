import type { ComponentChildren } from "preact";
import type { StaffUser } from "../staff/users.ts";
import { STYLES } from "./styles.ts";
import { FAVICON_PATH } from "../web/favicon.ts";

export interface Flash {
  kind: "info" | "error";
  message: string;
}

export interface LayoutProps {
  title: string;
  staff?: StaffUser;
  csrfToken?: string;
  flash?: Flash;
  /** Current path, to mark the active navigation entry. */
  path?: string;
  children: ComponentChildren;
}

const NAV = [
  { href: "/console", label: "Overview" },
  { href: "/console/reports", label: "Reports" },
  { href: "/console/devices", label: "Devices" },
  { href: "/console/merchants", label: "Merchants" },
  { href: "/console/staff", label: "Staff" },
  { href: "/console/series", label: "Series" },
  { href: "/console/instruments", label: "Instruments" },
  { href: "/console/customers", label: "Customers" },
  { href: "/console/items", label: "Items" },
  { href: "/console/wholesale-orders", label: "Wholesale orders" },
  { href: "/console/rules", label: "Rules" },
  { href: "/console/settings", label: "Settings" },
  { href: "/console/audit", label: "Audit log" },
  { href: "/docs/api", label: "API reference" },
];

/** The admin console's frame: navigation, page title, flash message. */
export function Layout({ title, staff, csrfToken, flash, path, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {csrfToken && <meta name="csrf-token" content={csrfToken} />}
        <title>{`${title} · Loyalty Edge`}</title>
        <link rel="icon" type="image/svg+xml" href={FAVICON_PATH} />
        <style>{STYLES}</style>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to main content</a>
        <header class="top">
          <a class="brand" href="/console">Loyalty Edge</a>
          {staff && (
            // On a narrow screen the navigation folds behind a menu button: a checkbox and its
            // label, so it opens without JavaScript (the CSP allows no inline script anyway).
            <>
              <input
                type="checkbox"
                id="nav-toggle"
                class="nav-toggle"
                aria-controls="main-nav"
                aria-label="Menu"
              />
              <label for="nav-toggle" class="menu-button" aria-hidden="true">Menu</label>
              <nav aria-label="Main" id="main-nav">
                {NAV.map((n) => (
                  <a href={n.href} aria-current={path === n.href ? "page" : undefined}>
                    {n.label}
                  </a>
                ))}
              </nav>
            </>
          )}
          {staff && (
            <form method="post" action="/logout" class="signout">
              <input type="hidden" name="_csrf" value={csrfToken} />
              <span>{staff.name}{staff.is_owner ? " · owner" : ""}</span>
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {flash && <p class={`flash ${flash.kind}`} role="status">{flash.message}</p>}
          {children}
        </main>
      </body>
    </html>
  );
}
