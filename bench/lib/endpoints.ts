/**
 * What the load benchmark sends: one entry per endpoint. Paths and bodies are templates; the
 * wrk script (bench/lib/wrk.ts) fills their placeholders per request:
 *
 *   {{card}}  a real card number: a demo customer's card, rotating over all those read from the
 *             database, or one of the benchmark's gift cards (`cards`), rotating or at random
 *   {{id}}    unique in the run (run id, wrk thread, counter): idempotency keys, names, receipts
 *   {{at}}    the current time, ISO 8601 UTC
 *
 * Placeholders may appear only inside JSON strings and paths (their values need no escaping).
 */

import { chainBodyLua, type ChainData, chainSampleBody } from "./chain.ts";

export const PLACEHOLDERS = ["card", "id", "at"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface Endpoint {
  name: string;
  method: "GET" | "POST";
  /** Path and query, a template. */
  path: string;
  /** JSON body, a template (placeholders inside its strings). */
  body?: unknown;
  /** Sends `Authorization: Bearer <POS token>`. */
  auth: boolean;
  /** Sends `Idempotency-Key: load-{{id}}`, unique per request. */
  idempotencyKey?: boolean;
  /** The status a successful request answers. */
  expect: number;
  /** Not built yet: skipped, with a note, while the server answers 404. */
  optional?: boolean;
  /** Writes to the ledger: also reported as a ratio to the pgbench figure. */
  write?: boolean;
  /**
   * Which numbers `{{card}}` takes: the demo customers' loyalty cards (the default), the gift
   * cards loaded for `redeem-many`, or the one card a `redeem-one` burst drains.
   */
  cards?: "customer" | "gift-many" | "gift-one";
  /** `{{card}}` at random per request instead of rotating over the list. */
  randomCard?: boolean;
  /** The answers are counted by status: successes (`expect`), 409s and others. */
  countStatuses?: boolean;
  /**
   * How the load is made: wrk for `--duration` seconds (the default), or one burst of
   * `--burst` requests all in flight at once, sent by this process (bench/lib/burst.ts).
   */
  driver?: "wrk" | "burst";
  /**
   * Lua defining `make_body(id, at)`, which builds each request's body (the chain's baskets,
   * bench/lib/chain.ts); `body` is then only the probe request's.
   */
  bodyLua?: string;
  /** Whose device tokens sign the requests: every till of the chain, or the flagship's. */
  tills?: "all" | "flagship";
  /** wrk connections for this endpoint instead of `--connections` (latency at low load). */
  connections?: number;
  what: string;
}

/** An item of the demo catalogue, for basket lines. */
export interface BasketItem {
  sku: string;
  category: string;
  /** Minor units. */
  price: number;
}

// ---------------------------------------------------------------------------------------------
// Quote and sale bodies (POST /api/pos/v1/quote, POST /api/pos/v1/sales). The quote is built
// (earning/quote.ts: the demo's ten published rules price it); the sale is the quote's body with
// a receipt number unique in the run and the time of sale (sales/sale_json.ts), for a member
// (a demo card), so every request earns points: a full ledger posting and member statistics.
// ---------------------------------------------------------------------------------------------
const QUANTITY = 2;

export function quoteBody(item: BasketItem) {
  return {
    currency: "EUR",
    customer: { card: "{{card}}" },
    lines: [{
      sku: item.sku,
      category: item.category,
      quantity: QUANTITY,
      unitPrice: item.price,
    }],
    tenders: [{ type: "CASH", amount: QUANTITY * item.price }],
  };
}

export function saleBody(item: BasketItem) {
  return { ...quoteBody(item), receiptNumber: "LOAD-{{id}}", at: "{{at}}" };
}

// ---------------------------------------------------------------------------------------------
// Gift card redemptions (POST /api/pos/v1/instruments/{number}/redeem). Every request asks for
// REDEEM_AMOUNT. The one-card burst drains a card loaded with ONE_CARD_LOAD: exactly
// floor(ONE_CARD_LOAD / REDEEM_AMOUNT) requests may succeed, every other one is a 409
// insufficient-funds. The many cards are each loaded with MANY_CARD_LOAD, more than a run
// can redeem from one card, so a 409 there is a fault too.
// ---------------------------------------------------------------------------------------------
/** Minor units (10.00 EUR) per redemption. */
export const REDEEM_AMOUNT = 1_000;
/** Minor units (100.00 EUR) on the one card: 10 redemptions. */
export const ONE_CARD_LOAD = 10_000;
/** Minor units (10,000.00 EUR) on each of the many cards: 1,000 redemptions. */
export const MANY_CARD_LOAD = 1_000_000;

export const redeemBody = () => ({ amount: REDEEM_AMOUNT });
// ---------------------------------------------------------------------------------------------

/** Connections of the chain's latency runs: the work of one request, not a queue. */
export const LATENCY_CONNECTIONS = 8;

/**
 * The chain's endpoints (`--chain`): quote and sale from every till with the chain's baskets,
 * the flagship (every connection on the POS of one store), and both at 8 connections.
 */
function chainEndpoints(chain: ChainData): Endpoint[] {
  const quote: Endpoint = {
    name: "chain-quote",
    method: "POST",
    path: "/api/pos/v1/quote",
    body: chainSampleBody(chain, "quote"),
    bodyLua: chainBodyLua(chain, "quote"),
    auth: true,
    tills: "all",
    expect: 200,
    what: "POST /api/pos/v1/quote from a random till of 800, a Zipf-drawn member, 1–12 lines",
  };
  const sale: Endpoint = {
    name: "chain-sale",
    method: "POST",
    path: "/api/pos/v1/sales",
    body: chainSampleBody(chain, "sale"),
    bodyLua: chainBodyLua(chain, "sale"),
    auth: true,
    idempotencyKey: true,
    tills: "all",
    expect: 201,
    write: true,
    // A points holder may run out of points, a refusal the answers show (409s).
    countStatuses: true,
    what: "POST /api/pos/v1/sales from a random till of 800, a Zipf-drawn member, 1–12 lines, " +
      "paid with points, gift cards and cards",
  };
  return [
    quote,
    sale,
    {
      ...sale,
      name: "flagship",
      tills: "flagship",
      what: "chain-sale with every connection on the 4 POS of store 1",
    },
    {
      ...quote,
      name: `chain-quote-c${LATENCY_CONNECTIONS}`,
      connections: LATENCY_CONNECTIONS,
      what: `chain-quote at ${LATENCY_CONNECTIONS} connections`,
    },
    {
      ...sale,
      name: `chain-sale-c${LATENCY_CONNECTIONS}`,
      connections: LATENCY_CONNECTIONS,
      what: `chain-sale at ${LATENCY_CONNECTIONS} connections`,
    },
  ];
}

/** The names `endpoints` may answer, in order (the chain's only with its data). */
export const CHAIN_ENDPOINTS = [
  "chain-quote",
  "chain-sale",
  "flagship",
  `chain-quote-c${LATENCY_CONNECTIONS}`,
  `chain-sale-c${LATENCY_CONNECTIONS}`,
];

/**
 * Every endpoint, in the order they are measured. `hello` is the baseline (another server);
 * with the chain's data, its endpoints follow the sale.
 */
export function endpoints(item: BasketItem, chain?: ChainData): Endpoint[] {
  const all = baseEndpoints(item);
  if (!chain) return all;
  const at = all.findIndex((e) => e.name === "sale") + 1;
  return [...all.slice(0, at), ...chainEndpoints(chain), ...all.slice(at)];
}

function baseEndpoints(item: BasketItem): Endpoint[] {
  return [
    {
      name: "hello",
      method: "GET",
      path: "/",
      auth: false,
      expect: 200,
      what: "Deno.serve hello world (bench/hello.ts), the baseline",
    },
    {
      name: "healthz",
      method: "GET",
      path: "/healthz",
      auth: false,
      expect: 200,
      what: "GET /healthz (select 1)",
    },
    {
      name: "me",
      method: "GET",
      path: "/api/pos/v1/me",
      auth: true,
      expect: 200,
      what: "GET /api/pos/v1/me (token check + programme link)",
    },
    {
      name: "lookup",
      method: "GET",
      path: "/api/pos/v1/customers/lookup?card={{card}}",
      auth: true,
      expect: 200,
      what: "GET /api/pos/v1/customers/lookup?card=… (rotating over the demo's cards)",
    },
    {
      name: "create",
      method: "POST",
      path: "/api/pos/v1/customers",
      body: { name: "Load {{id}}", categories: ["MEMBER"] },
      auth: true,
      idempotencyKey: true,
      expect: 201,
      write: true,
      what: "POST /api/pos/v1/customers (unique Idempotency-Key and name)",
    },
    {
      name: "quote",
      method: "POST",
      path: "/api/pos/v1/quote",
      body: quoteBody(item),
      auth: true,
      expect: 200,
      what: "POST /api/pos/v1/quote (one line, cash; the demo's ten published rules)",
    },
    {
      name: "sale",
      method: "POST",
      path: "/api/pos/v1/sales",
      body: saleBody(item),
      auth: true,
      idempotencyKey: true,
      expect: 201,
      write: true,
      what: "POST /api/pos/v1/sales (unique Idempotency-Key and receipt number)",
    },
    {
      name: "redeem-one",
      method: "POST",
      path: "/api/pos/v1/instruments/{{card}}/redeem",
      body: redeemBody(),
      auth: true,
      idempotencyKey: true,
      expect: 200,
      write: true,
      cards: "gift-one",
      countStatuses: true,
      driver: "burst",
      what: "POST …/instruments/{number}/redeem of 10.00, a burst all at once on ONE card " +
        "loaded with 100.00: exactly 10 succeed, the rest are 409 insufficient-funds",
    },
    {
      name: "redeem-many",
      method: "POST",
      path: "/api/pos/v1/instruments/{{card}}/redeem",
      body: redeemBody(),
      auth: true,
      idempotencyKey: true,
      expect: 200,
      write: true,
      cards: "gift-many",
      randomCard: true,
      countStatuses: true,
      what: "POST …/instruments/{number}/redeem of 10.00, a random card of many per request " +
        "(each loaded with 10,000.00: none runs out)",
    },
  ];
}

/** Fills a template's placeholders (for the probe request the benchmark sends first). */
export function fill(template: string, values: Record<Placeholder, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(`unknown placeholder ${whole}`);
    }
    return values[name as Placeholder];
  });
}

/** The JSON text of an endpoint's body template (placeholders still in). */
export const bodyTemplate = (e: Endpoint): string | undefined =>
  e.body === undefined ? undefined : JSON.stringify(e.body);

/** Which placeholders a request of this endpoint uses. */
export function placeholdersOf(e: Endpoint): Set<Placeholder> {
  const text = e.path + (bodyTemplate(e) ?? "") + (e.idempotencyKey ? "{{id}}" : "");
  const used = new Set<Placeholder>();
  for (const m of text.matchAll(/\{\{(\w+)\}\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) {
      throw new Error(`${e.name}: unknown placeholder ${m[0]}`);
    }
    used.add(m[1] as Placeholder);
  }
  return used;
}
