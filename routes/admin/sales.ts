import { createRoute } from "@hono/zod-openapi";
import { authorized } from "../../auth/authorize.ts";
import { adminAuth } from "../../auth/middleware.ts";
import { IdParam, jsonResponse, newRouter, problems } from "../../http/openapi.ts";
import { saleDetail } from "../../sales/detail.ts";
import { saleDetailJson, SaleDetailSchema } from "../../sales/sale_detail_json.ts";

const V1 = "/api/admin/v1";

/** One sale or return, read by the back office (the POS records them). */
export const adminSales = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: `${V1}/sales/{id}`,
      tags: ["Customers"],
      summary: "A sale or return: its lines, the points each earned per rule, tenders, returns",
      description: "Each line's `awards` are what it earned from each rule, named as the " +
        "published rules version that priced the sale names them, with what returns took " +
        "back; `returns` are the returns recorded against a sale, oldest first. A sale of " +
        "another organization is a 404.",
      ...adminAuth,
      request: { params: IdParam },
      responses: { 200: jsonResponse(SaleDetailSchema, "The sale"), ...problems },
    }),
    async (c) => {
      const sale = await authorized(c, "sale", "programme:read");
      return c.json(saleDetailJson(await saleDetail(c.get("deps").db, sale)), 200);
    },
  );
