import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders, idempotencyScope, posRecording } from "../../auth/pos.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";
import { recordReturn } from "../../sales/return.ts";
import { type Return, ReturnRequestSchema, ReturnSchema } from "../../sales/return_json.ts";
import { idempotencyKey } from "../../sales/sale_json.ts";

const ReturnHeaders = z.object({
  ...ActingHeaders.shape,
  "idempotency-key": idempotencyKey("send an Idempotency-Key header").openapi({
    description: "Required. One key per return, kept by the POS until it has the answer: a " +
      "retry with the same key and body returns the first answer and writes nothing",
  }),
});

const DESCRIPTION = `Records a return and the points it takes back, in one database transaction.

**With the original receipt** (\`original\`: its receipt number, and its store and POS numbers
when it was sold elsewhere; this POS by default), each line names the original line
(\`originalLineIndex\`, or the first line of its SKU with enough units left) and cannot return more
units than are left. The points come from what the sale recorded for each line:
- with the setting *a return with the original receipt takes back all its points* on, every point
  the returned units earned (basic, item, basket, tender and multiplier points);
- with it off, only their basic points.
Shares are cumulative: any number of partial returns never takes back more than a line earned,
and returning everything takes back exactly what the sale earned. The points the sale spent come
back in proportion to the value returned (all of them once everything is returned), unless the
return's tenders say how many (\`{"type": "points", "points": …}\`). So a full return of a sale
that earned 70 points and spent 150 leaves the balance as it was before the sale.

**Without the receipt**, \`customer\` (by number or card) and \`currency\` are needed: the returned
value is quantity × unitPrice and the basic points of that value under the current published rules
are taken back.

**Paying back: at most what is returned.** The return pays back exactly its \`value\`: with the
original receipt, the net the returned units were sold at (the sale's discounts and coupons' money
off apportioned as the sale recorded them); without it, quantity × unitPrice of the lines. The POS
may name the refund tenders (\`tenders\`): together they pay back exactly the value, each at most
what the ones before it left (cash too: a refund gives no change), every one more than 0. A card
tender (\`{"type": "giftCard" | "storeCredit", "number", "amount"}\`) puts that money onto the card:
of the programme, active, in the return's currency (the refusals of a sale's card tenders, naming
\`tenders.N\`). A points tender gives back that many of the points the sale spent (original
receipt only), worth points × \`pointValue\`. Without the receipt the POS must name the tenders.
With the receipt and no tender, the value goes back to the sale's own tenders: the spent points in
proportion to the value returned, then the gift cards and store credit, each up to what it paid
less what the sale's earlier returns gave back to it, then the other tenders (cash, …) the same
way; a card that is no longer active refuses it (409 \`instrument-void\`, … on
\`tenders.number\`): name other tenders. A sale recorded before its tenders were kept needs named
tenders (422 on \`tenders\`). The returns of one sale queue on the sale, so together they never pay
back more than it was sold for. The answer's \`tenders\` says how the value was paid back
(\`tenderIndex\` -1 for a refund worked out from the sale) and \`cards\` what each card got and its
balance after. Refusals: 422 \`validation\` on \`tenders.N.amount\` / \`tenders.N.points\` (more
than is left to pay back), or \`tenders\` (less than the value); nothing is written.

**Coupons.** A coupon series with \`fullReturnRestoresUses\` gives back the use a sale took of each
of its coupons when a return completes the full return of that sale (never a partial return), unless
the coupon has expired since. The answer's \`couponsRestored\` lists each \`code\` with its
\`usesLeft\` (null: unlimited); it is empty otherwise.

A return may take a balance below zero: the member then owes points. Member statistics: a return
lowers the member's spend and its store day's total, never visits or counts.

**Idempotency** as for \`POST /sales\`: \`Idempotency-Key\` required; a retry answers the first
answer byte for byte (header \`Idempotent-Replayed: true\`); another body under the key is a 422
\`idempotency-key-reused\`; a refusal writes nothing. 409 \`duplicate-receipt\`: this POS already
used the return's receipt number (sales and returns share them). 404 \`original-not-found\` (field
\`original.receiptNumber\`). 422 \`validation\` names each field, e.g. \`lines.0.quantity\` when
fewer units are left to return.`;

export const posReturns = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/returns",
    tags: ["POS"],
    summary: "Record a return: take back the points its lines earned (idempotent)",
    description: DESCRIPTION,
    ...posAuth,
    request: { headers: ReturnHeaders, body: jsonBody(ReturnRequestSchema) },
    responses: { 201: jsonResponse(ReturnSchema, "The return, as recorded"), ...posProblems },
  }),
  async (c) => {
    const device = c.get("device")!;
    const answer = await recordReturn(c.get("deps").db, {
      ...posRecording(c),
      idempotency: {
        scope: idempotencyScope(device),
        key: c.req.valid("header")["idempotency-key"],
      },
    }, c.req.valid("json"));
    if (answer.replayed) c.header("Idempotent-Replayed", "true");
    return c.json(JSON.parse(answer.text) as Return, 201);
  },
);
