import { Hono } from "hono";
import { authorized } from "../../auth/authorize.ts";
import { requireStaff } from "../../auth/middleware.ts";
import { SaleDetail } from "../../components/sales/SaleDetail.tsx";
import type { AppEnv } from "../../http/env.ts";
import { saleDetail } from "../../sales/detail.ts";
import { renderPage } from "../../web/render.tsx";

/** A sale's page, opened from the customer's profile. */
export const salePages = new Hono<AppEnv>()
  .get("/console/sales/:id", requireStaff, async (c) => {
    const sale = await authorized(c, "sale", "programme:read");
    const detail = await saleDetail(c.get("deps").db, sale);
    return renderPage(c, {
      title: `${sale.kind === "sale" ? "Sale" : "Return"} ${sale.receipt_number}`,
      body: <SaleDetail detail={detail} />,
    });
  });
