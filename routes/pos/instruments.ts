import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ActingHeaders, idempotencyScope, posProgramme, posRecording } from "../../auth/pos.ts";
import { notFound } from "../../errors/problem.ts";
import type { AppEnv } from "../../http/env.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";
import { instrumentState } from "../../instruments/activities.ts";
import {
  ActivateRequest,
  type Activity,
  type ActivityRequest,
  ActivitySchema,
  instrumentBalanceJson,
  InstrumentBalanceSchema,
  InstrumentNumberParam,
  LoadRequest,
  RedeemRequest,
  RefundRequest,
  VoidRequest,
} from "../../instruments/activities_json.ts";
import { type PosMove, recordPosActivity } from "../../instruments/pos_activity.ts";
import { idempotencyKey } from "../../sales/sale_json.ts";

const tags = ["POS: gift cards and store credit"];

const ActivityHeaders = z.object({
  ...ActingHeaders.shape,
  "idempotency-key": idempotencyKey("send an Idempotency-Key header").openapi({
    description: "Required. One key per activity, kept by the POS until it has the answer: a " +
      "retry with the same key and body returns the first answer and moves nothing",
  }),
});

const COMMON = `Money is integer minor units of the card's series' currency (\`currency\`, when
sent, must be it: 422 otherwise). \`Idempotency-Key\` is required and scoped to the POS: a retry
with the same key and body answers with the first answer (header \`Idempotent-Replayed: true\`) and
moves nothing, also while the first is still running; the same key with another body is a 422
\`idempotency-key-reused\`; a refused activity writes nothing and leaves its key free.

**Errors.** 404 \`not-found\`: no instrument of that number in the POS's programme (another
programme's card is not found either). 409 \`instrument-inactive\`, \`instrument-active\`,
\`instrument-blocked\`, \`instrument-expired\`, \`instrument-void\`: the card's state does not allow
this activity (\`instrumentStatus\` names it). 409 \`wrong-instrument-type\`: a coupon or loyalty card
carries no money. 422 \`validation\`: a field is not valid, named in \`errors\`.`;

const MOVES: {
  move: PosMove;
  body: z.ZodType<ActivityRequest>;
  summary: string;
  description: string;
}[] = [
  {
    move: "activate",
    body: ActivateRequest,
    summary: "Activate a card, with an initial load",
    description: `An inactive card becomes active and is loaded with \`amount\` (the series'
initial value when absent; 0 loads nothing). Its expiry is the instrument's own date.`,
  },
  {
    move: "load",
    body: LoadRequest,
    summary: "Add money to an active card",
    description: "The balance grows by `amount`.",
  },
  {
    move: "redeem",
    body: RedeemRequest,
    summary: "Take money from an active card (never below zero)",
    description: `The balance shrinks by \`amount\`. More than the balance is a 409
\`insufficient-funds\` (field \`amount\`) and nothing is written, unless \`allowPartial\` is true: then
the balance is redeemed and \`activity.amount\` says how much (\`activity.requested\` is what was
asked). Concurrent redemptions of one card queue: the card never goes below zero.`,
  },
  {
    move: "refund",
    body: RefundRequest,
    summary: "Give money back onto an active card",
    description: "The balance grows by `amount` (a refund of goods onto the card).",
  },
  {
    move: "void",
    body: VoidRequest,
    summary: "Void a card for good",
    description: `Any card but a void one becomes void, for good. What a gift card or store credit
still holds is written off in the same transaction (breakage): the card is left at 0, its series no
longer owes it, and \`activity.amount\` says how much was written off (0 for an empty card). A retry
with the same key writes off nothing more; a void and a redemption of one card queue on the card,
so the money is either redeemed or written off, never both.`,
  },
];

const router = newRouter().openapi(
  createRoute({
    method: "get",
    path: "/instruments/{number}",
    tags,
    summary: "A card's balance, state and expiry",
    description: "The state is the card's now, on the store's clock: `expired` once its expiry " +
      "date has passed there. 404 when the POS's programme has no card of that number.",
    ...posAuth,
    request: { headers: ActingHeaders, params: InstrumentNumberParam },
    responses: { 200: jsonResponse(InstrumentBalanceSchema, "The card"), ...posProblems },
  }),
  async (c) => {
    const { group } = posProgramme(c);
    const device = c.get("device")!;
    const state = await instrumentState(
      c.get("deps").db,
      group.id,
      c.req.valid("param").number,
      device.timezone ?? "UTC",
    );
    if (!state) throw notFound("instrument");
    return c.json(instrumentBalanceJson(state), 200);
  },
);

async function handle(c: Context<AppEnv>, move: PosMove, number: string, body: ActivityRequest) {
  const recording = posRecording(c);
  const answer = await recordPosActivity(
    c.get("deps").db,
    {
      group: recording.programme.group,
      till: recording.till,
      idempotency: {
        scope: idempotencyScope(c.get("device")!),
        key: c.req.header("Idempotency-Key")!,
      },
    },
    number,
    move,
    body,
  );
  if (answer.replayed) c.header("Idempotent-Replayed", "true");
  return c.json(JSON.parse(answer.text) as Activity, 200);
}

for (const m of MOVES) {
  router.openapi(
    createRoute({
      method: "post",
      path: `/instruments/{number}/${m.move}`,
      tags,
      summary: `${m.summary} (idempotent)`,
      description: `${m.description}\n\n${COMMON}`,
      ...posAuth,
      request: { headers: ActivityHeaders, params: InstrumentNumberParam, body: jsonBody(m.body) },
      responses: {
        200: jsonResponse(ActivitySchema, "The card after the activity"),
        ...posProblems,
      },
    }),
    (c) => handle(c, m.move, c.req.valid("param").number, c.req.valid("json")),
  );
}

/** Gift card and store credit activities at the POS. */
export const posInstruments = router;
