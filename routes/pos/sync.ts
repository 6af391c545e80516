import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders, idempotencyScope, posRecording } from "../../auth/pos.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";
import { syncBatch } from "../../sales/sync.ts";
import { SyncRequestSchema, SyncSchema } from "../../sales/sync_json.ts";

const DESCRIPTION = `For a POS that was offline: its sales and returns in one batch (at most
500), applied in the order sent, each in its own database transaction, exactly as \`POST /sales\`
or \`POST /returns\` would apply it with \`idempotencyKey\` as its Idempotency-Key. The answer has
one result per transaction, in order: the status and body the single call would have answered
(a Sale, a Return, or problem+json). One refused transaction does not stop the others. Posting the
same batch again writes nothing new and answers the same results: each key replays its answer,
and a refused transaction its refusal (within sync the outcome of an offline transaction is final;
send a corrected one under a new key). Each sale keeps its \`at\`, so statistics count it on the day
it happened. When the database becomes unavailable during a batch, the answer is a 503 and what
was applied stays applied: post the same batch again.`;

export const posSync = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/sync",
    tags: ["POS"],
    summary: "Apply an offline POS's sales and returns in order, each exactly once",
    description: DESCRIPTION,
    ...posAuth,
    request: { headers: ActingHeaders, body: jsonBody(SyncRequestSchema) },
    responses: { 200: jsonResponse(SyncSchema, "One result per transaction"), ...posProblems },
  }),
  async (c) => {
    const results = await syncBatch(
      c.get("deps").db,
      posRecording(c),
      idempotencyScope(c.get("device")!),
      c.req.valid("json").transactions,
    );
    return c.json({ results } as z.output<typeof SyncSchema>, 200);
  },
);
