import { createRoute, z } from "@hono/zod-openapi";
import { ActingHeaders, idempotencyScope, posProgramme } from "../../auth/pos.ts";
import { jsonBody, jsonResponse, newRouter, posAuth, posProblems } from "../../http/openapi.ts";
import { notFound, ProblemError, validationError, zodFieldErrors } from "../../errors/problem.ts";
import {
  createCustomer,
  type CustomerKey,
  CustomerKeySchemas,
  lookupCustomersWithFigures,
} from "../../members/customers.ts";
import { idempotent } from "../../db/idempotency.ts";
import { customerJson, CustomerSchema, NewCustomer } from "../../members/customer_json.ts";
import { posCustomerJson, PosCustomerSchema } from "../../members/profile_json.ts";
import { keyLineReference } from "../../members/profile.ts";

const tags = ["POS"];

const CustomerAnswer = z.object({ customer: CustomerSchema }).openapi("PosCustomer");
type CustomerAnswer = z.infer<typeof CustomerAnswer>;
/** The lookup's answer: the customer with balances, key line total and statistics. */
const LookupAnswer = z.object({ customer: PosCustomerSchema }).openapi("PosCustomerLookup");

const KEYS = ["card", "number", "email", "phone"] as const;
const LookupQuery = z.object(
  Object.fromEntries(KEYS.map((k) => [
    k,
    z.string().max(254).optional().openapi({ param: { name: k, in: "query" } }),
  ])) as Record<(typeof KEYS)[number], z.ZodOptional<z.ZodString>>,
);

const PosCreateHeaders = z.object({
  ...ActingHeaders.shape,
  "idempotency-key": z.string({ error: "send an Idempotency-Key header" })
    .regex(/^[\x21-\x7e]{1,200}$/, "1 to 200 visible ASCII characters")
    .openapi({ description: "A retry with the same key and body returns the first answer" }),
});

/** The one lookup key sent, validated; anything else is a 422 naming the keys at fault. */
function lookupKey(query: Partial<Record<(typeof KEYS)[number], string>>): CustomerKey {
  const sent = KEYS.filter((k) => query[k] !== undefined && query[k] !== "");
  if (sent.length !== 1) {
    const named = sent.length ? sent : KEYS;
    throw validationError(named.map((field) => ({
      field,
      message: "send exactly one of card, number, email, phone",
    })));
  }
  const k = sent[0];
  const parsed = CustomerKeySchemas[k].safeParse(query[k]);
  if (!parsed.success) {
    throw validationError(zodFieldErrors(parsed.error).map((e) => ({ ...e, field: k })));
  }
  return { [k]: parsed.data } as CustomerKey;
}

export const posCustomers = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/customers/lookup",
      tags,
      summary: "Look a customer up by card, customer number, email or phone",
      description: "Exactly one of the four. Email matches in any case; phone in its " +
        "canonical E.164 form, a national number read in the country of the POS's store " +
        "(06 12 34 56 78 in Europe/Paris is +33612345678); card and number with the spaces " +
        "and hyphens between their groups dropped. A card finds its holder whatever its status (shown). " +
        "404 when nothing matches, 409 when an email or phone matches several customers. " +
        "The customer comes with their points balance (from the ledger), the key line total " +
        "(only when the setting showKeyLineTotal is on) and their statistics.",
      ...posAuth,
      request: { headers: ActingHeaders, query: LookupQuery },
      responses: { 200: jsonResponse(LookupAnswer, "The customer"), ...posProblems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { group, settings } = posProgramme(c);
      const key = lookupKey(c.req.valid("query"));
      const found = await lookupCustomersWithFigures(
        db,
        group,
        key,
        keyLineReference(settings),
        c.get("device")!.timezone,
      );
      if (found.length === 0) throw notFound("customer");
      if (found.length > 1) {
        throw new ProblemError(409, "ambiguous-customer", "Several customers match", {
          detail: "look the customer up by card or customer number",
        });
      }
      const { detail, figures } = found[0];
      return c.json({ customer: posCustomerJson(detail, figures, settings) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/customers",
      tags,
      summary: "Create a customer at the POS (automatic card, default account)",
      description: "Requires an Idempotency-Key, scoped to the POS: the same key and body " +
        "answer the first response again (header Idempotent-Replayed: true) and create " +
        "nothing; the same key with another body is a 422 idempotency-key-reused. A refused " +
        "request does not use up its key.",
      ...posAuth,
      request: { headers: PosCreateHeaders, body: jsonBody(NewCustomer) },
      responses: { 201: jsonResponse(CustomerAnswer, "Created"), ...posProblems },
    }),
    async (c) => {
      const { db } = c.get("deps");
      const { group, settings } = posProgramme(c);
      const device = c.get("device")!;
      const input = c.req.valid("json");
      const answer = await idempotent(db, {
        orgId: group.org_id,
        scope: idempotencyScope(device),
        key: c.req.valid("header")["idempotency-key"],
        fingerprint: { operation: "POST /api/pos/v1/customers", body: input },
      }, async (tx) => {
        const detail = await createCustomer(tx, group, input, settings, undefined, device.timezone);
        return { status: 201, body: { customer: customerJson(detail, settings) } };
      });
      if (answer.replayed) c.header("Idempotent-Replayed", "true");
      return c.json(answer.body as CustomerAnswer, 201);
    },
  );
