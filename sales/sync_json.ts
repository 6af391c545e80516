/** The API shapes of offline sync: a batch of sales and returns, and one result each. */
import { z } from "@hono/zod-openapi";
import { idempotencyKey } from "./sale_json.ts";
import { MAX_SYNC_TRANSACTIONS } from "./sync.ts";

export const SyncRequestSchema = z.strictObject({
  transactions: z.array(z.strictObject({
    kind: z.enum(["sale", "return"]).openapi({ description: "Which call this transaction is" }),
    idempotencyKey: idempotencyKey("required").openapi({
      description: "The key the single call would have sent in its Idempotency-Key header",
    }),
    body: z.unknown().openapi({
      description: "The body of `POST /sales` (SaleRequest) or `POST /returns` (ReturnRequest)",
      oneOf: [
        { $ref: "#/components/schemas/SaleRequest" },
        { $ref: "#/components/schemas/ReturnRequest" },
      ],
    }),
  })).min(1, "send at least one transaction").max(MAX_SYNC_TRANSACTIONS).openapi({
    description: `Up to ${MAX_SYNC_TRANSACTIONS}, in the order they happened at the POS`,
  }),
}).openapi("SyncRequest");

export const SyncSchema = z.object({
  results: z.array(z.object({
    idempotencyKey: z.string(),
    status: z.int().openapi({ description: "The status the single call would have answered" }),
    body: z.unknown().openapi({
      description: "What the single call would have answered: the Sale or Return, or its " +
        "problem+json",
    }),
  })).openapi({ description: "One per transaction, in the request's order" }),
}).openapi("Sync");
