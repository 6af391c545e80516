import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders, idempotencyScope, posRecording } from "../../auth/pos.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";
import { recordSale } from "../../sales/sale.ts";
import { idempotencyKey, type Sale, SaleRequestSchema, SaleSchema } from "../../sales/sale_json.ts";

const SaleHeaders = z.object({
  ...ActingHeaders.shape,
  "idempotency-key": idempotencyKey("send an Idempotency-Key header").openapi({
    description: "Required. One key per sale, kept by the POS until it has the answer: a " +
      "retry with the same key and body returns the first answer and writes nothing",
  }),
});

const DESCRIPTION = `Records a sale and everything it moves, in one database transaction: the
basket is priced by the published rules exactly as \`POST /quote\` prices it, the points earned and
the points spent are written to the member's points account, the member statistics are updated
(visits by the store's trading day, sales count, spend; member and non-member totals of the
store's day), and the answer is stored. Either all of it happens or none of it.

**Units.** Money is integer minor units of \`currency\`. Points are JSON numbers with at most two
decimals. A points tender \`{"type": "points", "points": 250}\` spends points from the member's
balance; it is worth points × \`pointValue\` minor units (a programme setting, 1 by default: 100
points pay 1.00), which must be whole; the rules see it as a tender of type \`POINTS\` of that
value (a tender-points rule rewards it only if it lists POINTS). The points a sale earns are not
spendable in the same sale. The part paid with points earns nothing unless the setting
\`pointsEarnedOnPartPaidWithPoints\` is on: basic, item and basket points per unit are earned on
each line's net less its share of the points tender's value (shared by net), as the quote does.

**Tenders pay the total.** The tenders together pay the sale's net total (after line and order
discounts and the coupons' money off, as the sale prices it) exactly. In request order, each tender
pays at most what the tenders before it left due; only cash (type \`CASH\`, any case) may exceed it,
and the excess is the answer's \`change\` (0 otherwise). So a gift card, store credit or points
tender never pays more than is due, and every tender is more than 0. A sale of 0.00 takes no
tender. A refusal is a 422 \`validation\` naming the tender (\`tenders.N.amount\`,
\`tenders.N.points\`), or \`tenders\` when they pay less than the total; nothing is written.

**Gift cards and store credit.** A tender \`{"type": "giftCard", "number": "…", "amount": 2000}\`
(or \`storeCredit\`) takes that many minor units from the card, in the same transaction as the rest
of the sale: the card must be of the programme (404 \`not-found\` otherwise), of that type (409
\`wrong-instrument-type\`), in the sale's currency (422), active (409 \`instrument-blocked\`,
\`instrument-expired\`, …) and hold the amount (409 \`insufficient-funds\`; two tenders of one card
count together). A refusal names the tender (\`tenders.N.number\` or \`tenders.N.amount\`) and
nothing of the sale is written: correct the tender and send the sale again with the same key. The
answer's \`cards\` lists each card tender with the card's balance after the sale.

**Time.** \`at\` is when the sale happened on the POS, kept as sent (an offline POS sends the
original time). The sale's trading day is \`at\`'s date on the store's clock, in the store's time
zone: a sale at 23:30 and one at 00:30 local time are on two days.

**Customers.** \`customer\` names a customer by \`number\` or \`card\` (404 when there is none). A
member earns points and counts as a member transaction. An anonymous sale, a customer outside the
programme and a customer of a non-loyalty type are recorded, earn nothing, count as non-member
transactions, and cannot spend points (422 on \`tenders.N.points\`). The answer's
\`customer.balances.points\` is the balance after this sale; \`customer.keyLineTotal\` is present
when the programme shows the key line total. A sale at a POS whose programme has no published
rules is recorded with 0 points and \`rulesVersion\` null.

**Coupons.** \`coupons: [code]\` (at most 10, each once: a repeated code is a 422 on
\`coupons.N\`) are used by the sale, once each. Send the lines at their price before the coupons:
a coupon's money off is applied as an order-level discount of kind \`offer\` to the basket the rules
see, so points are earned on what is paid (and, with the setting \`calcPointsOnDiscountedItems\`
off, a sale with a coupon earns no points). Each coupon is worked out on the basket as sent, in the
order sent, and together they never take more than its value. A bonus-points coupon gives its
points to the member (ledger reference \`COUPON\`, in the sale's posting and in
\`customer.balances.points\`, not in \`points\`); without a member it is a 422 on \`coupons.N\`.
The answer's \`coupons\` lists each one's \`code\`, \`discount\` and bonus \`points\`. In the sale's
transaction each coupon is locked, checked again and one of its uses taken: a coupon is used at
most \`maxUses\` times however many sales race for it, and once per sale however often the sale is
retried. A use is given back only by a return that completes the full return of the sale,
for a coupon of a series with \`fullReturnRestoresUses\` that has not expired since.

**Idempotency.** \`Idempotency-Key\` is required and scoped to the POS. A retry with the same key
and the same body answers 201 with the first answer, byte for byte (header
\`Idempotent-Replayed: true\`), and writes nothing — also when the retry arrives while the first
request is still running: it waits for it. The same key with another body is a 422
\`idempotency-key-reused\`. A refused sale (any 4xx) writes nothing and does not use up its key.

**Conflicts.** 409 \`duplicate-receipt\` (field \`receiptNumber\`): this POS already recorded a
sale with that receipt number under another key. 409 \`insufficient-points\` (field
\`tenders.N.points\`): the member's balance does not cover the points spent; nothing is written.
409 \`coupon-used-up\`, \`coupon-expired\`, \`coupon-not-yet-active\`, \`coupon-not-for-this-basket\`,
\`coupon-inactive\`, \`coupon-blocked\`, \`coupon-void\` (field \`coupons.N\`, the reason also in
\`reason\`): that coupon cannot be used (\`POST /coupons/{code}/validate\` says the same);
nothing is written. 404 on \`coupons.N\`: no coupon of this programme has the code.
422 \`validation\`: a field is not valid, each named in \`errors\` (e.g. \`lines.0.category\` for an
unknown SKU sent without its category).`;

export const posSales = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/sales",
    tags: ["POS"],
    summary: "Record a sale: earn and spend points, update member statistics (idempotent)",
    description: DESCRIPTION,
    ...posAuth,
    request: { headers: SaleHeaders, body: jsonBody(SaleRequestSchema) },
    responses: { 201: jsonResponse(SaleSchema, "The sale, as recorded"), ...posProblems },
  }),
  async (c) => {
    const device = c.get("device")!;
    const answer = await recordSale(c.get("deps").db, {
      ...posRecording(c),
      idempotency: {
        scope: idempotencyScope(device),
        key: c.req.valid("header")["idempotency-key"],
      },
    }, c.req.valid("json"));
    if (answer.replayed) c.header("Idempotent-Replayed", "true");
    // The stored text, parsed only for the typed answer: JSON.stringify gives back the same
    // bytes (keys in order, numbers and strings as they were printed), first call or retry.
    return c.json(JSON.parse(answer.text) as Sale, 201);
  },
);
