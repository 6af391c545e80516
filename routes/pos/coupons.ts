import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders, posProgramme, posTill } from "../../auth/pos.ts";
import { checkCoupon } from "../../earning/coupon_check.ts";
import { CouponCheckRequest } from "../../earning/earning_json.ts";
import { CouponCode } from "../../instruments/coupons.ts";
import { couponCheckJson, CouponCheckSchema } from "../../instruments/coupons_json.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";

const CodeParam = z.object({
  code: CouponCode.openapi({
    param: { name: "code", in: "path" },
    description: "The coupon code (any case)",
    example: "SPRK7QX3M9PW2D",
  }),
});

// Never a conflict: a coupon that cannot be used is a 200 that says why.
const { 409: _conflict, ...problems } = posProblems;

const DESCRIPTION = `Whether a coupon can be used now and, given a basket, what it would give to
it; nothing is written and no use is taken. The answer is 200 whether or not the coupon is valid:
\`valid\` says, \`reason\` says why not.

**Reasons.** \`used-up\` (its uses reached its series' \`maxUses\`), \`expired\` (its expiry date
has passed on the store's clock; a coupon is good through its last day), \`not-yet-active\` (before
its series' \`startsAt\`), \`not-for-this-basket\` (no line the coupon's selector takes, an amount
off in another currency than the basket's, or nothing left to discount), \`member-required\` (bonus
points, and the basket names no member of the programme), \`inactive\`, \`blocked\`, \`void\`.

**The basket** is the body of \`POST /quote\` without \`coupons\`, lines at their price before any
coupon; its \`at\` (default now) is the time judged. Without it, only the coupon's state is judged
(now), and \`discount\` and \`points\` are null. An amount off takes at most the basket's value after
the POS's own discounts; a percent off takes that percent of the eligible lines' net value,
rounded down to the minor unit. The coupon is judged alone: several coupons of one sale are worked
out together by \`POST /quote\` and \`POST /sales\` (\`coupons: [code]\`), each on the basket as sent,
never more in all than its value.

**Errors.** 404 \`not-found\`: no coupon of this programme has the code (another programme's coupon
is not found either), or the basket's customer is unknown. 422 \`validation\`: a field of the basket
is not valid, named \`basket.…\`.`;

export const posCoupons = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/coupons/{code}/validate",
    tags: ["POS"],
    summary: "What a coupon would give to a basket, or why not; nothing is written",
    description: DESCRIPTION,
    ...posAuth,
    request: {
      params: CodeParam,
      headers: ActingHeaders,
      body: {
        ...jsonBody(CouponCheckRequest, "Optional: `{}` or no body judges the coupon alone"),
        required: false,
      },
    },
    responses: { 200: jsonResponse(CouponCheckSchema, "The coupon's verdict"), ...problems },
  }),
  async (c) => {
    const { coupon, verdict } = await checkCoupon(
      c.get("deps").db,
      posProgramme(c),
      posTill(c),
      c.req.valid("param").code,
      c.req.valid("json"),
    );
    return c.json(couponCheckJson(coupon, verdict), 200);
  },
);
