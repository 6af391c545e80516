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

**Money back onto cards.** A card tender of the return (\`{"type": "giftCard" | "storeCredit",
"number", "amount"}\`, amount positive) puts that money onto the card: of the programme, active, in
the return's currency (the refusals of a sale's card tenders, naming \`tenders.N\`). With the
original receipt and no card tender, the part of the value the sale paid by card goes back onto
those cards: each card's share in proportion to the value returned, cumulative, so a full return
puts back exactly what the card paid; a card that is no longer active refuses it (409
\`instrument-void\`, … on \`tenders.number\`): name another tender. The answer's \`cards\` lists
what each card got and its balance after (\`tenderIndex\` -1 for a share worked out from the sale).

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
