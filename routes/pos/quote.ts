import { createRoute } from "@hono/zod-openapi";
import { ActingHeaders, posProgramme, posTill } from "../../auth/pos.ts";
import { pricedJson, QuoteRequest, QuoteSchema } from "../../earning/earning_json.ts";
import { priceBasket } from "../../earning/quote.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";

export const posQuote = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/quote",
    tags: ["POS"],
    summary: "What a basket earns with the published rules; nothing is written",
    description: "Money is integer minor units of `currency`. Store, POS and time zone come " +
      "from the token; `at` defaults to now, `channel` to pos. A line without `category` " +
      "takes its item's category from the catalogue (an unknown SKU without one is a 422 on " +
      "`lines.N.category`). `customer` names a customer of the programme by `number` or " +
      "`card` (404 when there is none); without it the sale is anonymous and earns nothing. " +
      "`coupons` are applied as the sale would apply them, without using them: their money " +
      "off is an order-level discount of kind offer the rules see (send lines at their price " +
      "before the coupons), bonus points need a member (422 on `coupons.N`), an unknown code " +
      "is a 404 and an unusable coupon a 409 `coupon-<reason>` on `coupons.N` (see " +
      "`POST /coupons/{code}/validate`). " +
      "`tenders` are what tender rules see; the quote does not check that they pay the total " +
      "(it is asked while the basket is still being paid for, and takes nothing): the sale " +
      "does, and refuses tenders that do not add up. " +
      "The answer gives the points per rule and per line, staff discounts and each coupon's " +
      "discount and bonus points; " +
      "`rulesVersion` is the published rule set version that priced it (null, and 0 points, " +
      "while none is published). No Idempotency-Key: a quote changes nothing.",
    ...posAuth,
    request: { headers: ActingHeaders, body: jsonBody(QuoteRequest) },
    responses: { 200: jsonResponse(QuoteSchema, "The quote"), ...posProblems },
  }),
  async (c) => {
    const programme = posProgramme(c);
    const priced = await priceBasket(
      c.get("deps").db,
      c.get("programmes"),
      programme,
      posTill(c),
      c.req.valid("json"),
    );
    return c.json(pricedJson(priced), 200);
  },
);
