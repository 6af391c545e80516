/**
 * The chain-shaped load (`deno task load --chain`): what tills of the demo's chain preset
 * (demo/load.ts CHAIN_PRESET) send. Each request comes from a POS drawn at random (its own
 * device token), for a member drawn by how often they shop — Zipf over the members' ranks, so
 * a few shop often and most rarely — or for nobody, with a basket of 1–12 lines (some
 * discounted, some with an order discount) paid by points, a gift card and a card in turn.
 * The baskets and the Zipf draws are made here with a fixed seed; the Lua code that wrk runs
 * (`chainBodyLua`) assembles each request's body from them.
 */
import { chainMemberIsLoyal, chainMemberNumber } from "../../demo/load.ts";
import { seededRandom } from "../../demo/sales.ts";
import { luaString } from "./wrk.ts";

/** The Zipf exponent: the most frequent shopper comes ~1,000 × as often as the 100,000th. */
export const ZIPF_EXPONENT = 0.6;
/** Share of sales for a member (the rest anonymous). */
export const MEMBER_SHARE = 0.85;
/** Share of members' baskets (of points holders) paid partly with points, then gift cards. */
export const POINTS_SHARE = 0.25;
export const GIFT_CARD_SHARE = 0.2;
/** At most this many points (worth as many minor units at pointValue 1) per points tender. */
export const POINTS_TENDER = 500;
/** At most this many minor units per gift-card tender. */
export const GIFT_CARD_TENDER = 2_000;

export interface ChainItem {
  sku: string;
  category: string;
  price: number;
}

/** A basket: its `"lines":[…]` (and order `"discounts"`) JSON members, and its net total. */
export interface ChainBasket {
  json: string;
  total: number;
}

export interface ChainData {
  /** Zipf draws: card numbers, and whether that member holds points to spend. */
  cards: { number: string; points: boolean }[];
  giftCards: string[];
  baskets: ChainBasket[];
}

/** `count` ranks in 1…n drawn by Zipf(s): inverse CDF over the cumulative weights. */
export function zipfRanks(n: number, s: number, count: number, random: () => number): number[] {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / (i + 1) ** s;
  return Array.from({ length: count }, () => {
    const u = random() * sum;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  });
}

/** Baskets of 1–12 lines (most short), a line in five discounted, an order in ten. */
export function chainBaskets(
  items: ChainItem[],
  count: number,
  random: () => number,
): ChainBasket[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, () => {
    let value = 0;
    const lines = Array.from({ length: 1 + Math.floor(random() ** 2 * 12) }, () => {
      const item = pick(items);
      const quantity = 1 + Math.floor(random() ** 3 * 3);
      const gross = quantity * item.price;
      const off = random() < 0.2 ? Math.round(gross * (0.1 + random() * 0.2)) : 0;
      value += gross - off;
      return {
        sku: item.sku,
        category: item.category,
        quantity,
        unitPrice: item.price,
        ...(off ? { discounts: [{ kind: pick(["sale", "item"] as const), amount: off }] } : {}),
      };
    });
    const orderOff = random() < 0.1 ? Math.min(500, Math.floor(value * 0.05)) : 0;
    const json = `"lines":${JSON.stringify(lines)}` +
      (orderOff ? `,"discounts":[{"kind":"offer","amount":${orderOff}}]` : "");
    return { json, total: value - orderOff };
  });
}

/** The draws of one run: `cards` Zipf draws over `members`, the first `holders` with points. */
export function chainData(opts: {
  members: number;
  holders: number;
  items: ChainItem[];
  giftCards: string[];
  draws?: number;
  baskets?: number;
  seed?: number;
}): ChainData {
  const random = seededRandom(opts.seed ?? 2026);
  const ranks = zipfRanks(opts.members, ZIPF_EXPONENT, opts.draws ?? 20_000, random);
  return {
    cards: ranks.map((r) => ({
      number: chainMemberNumber(r),
      points: r <= opts.holders && chainMemberIsLoyal(r),
    })),
    giftCards: opts.giftCards,
    baskets: chainBaskets(opts.items, opts.baskets ?? 1_000, random),
  };
}

/**
 * Lua defining `make_body(id, at)`: a sale's body (receipt `LOAD-<id>`, time `at`) or a
 * quote's (the same basket; its tenders are `{type, amount}`: POINTS and GIFT), drawn per call.
 * Tenders in order points, gift card, card: each takes at most what the ones before left due.
 */
export function chainBodyLua(data: ChainData, kind: "sale" | "quote"): string {
  const sale = kind === "sale";
  const lines = [
    "local chain_cards = {",
    ...data.cards.map((c) => `  {${luaString(c.number)}, ${c.points}},`),
    "}",
    "local chain_gifts = {",
    ...data.giftCards.map((g) => `  ${luaString(g)},`),
    "}",
    "local chain_baskets = {",
    ...data.baskets.map((b) => `  {${luaString(b.json)}, ${b.total}},`),
    "}",
    "function make_body(id, at)",
    "  local b = chain_baskets[math.random(#chain_baskets)]",
    "  local due = b[2]",
    "  local customer = ''",
    "  local tenders = {}",
    `  if math.random() < ${MEMBER_SHARE} then`,
    "    local c = chain_cards[math.random(#chain_cards)]",
    `    customer = '"customer":{"card":"' .. c[1] .. '"},'`,
    `    if c[2] and due > 0 and math.random() < ${POINTS_SHARE} then`,
    `      local p = math.min(${POINTS_TENDER}, due)`,
    "      due = due - p",
    sale
      ? `      tenders[#tenders + 1] = '{"type":"points","points":' .. p .. '}'`
      : `      tenders[#tenders + 1] = '{"type":"POINTS","amount":' .. p .. '}'`,
    "    end",
    "  end",
    `  if #chain_gifts > 0 and due > 0 and math.random() < ${GIFT_CARD_SHARE} then`,
    `    local g = math.min(${GIFT_CARD_TENDER}, due)`,
    "    due = due - g",
    sale
      ? `    tenders[#tenders + 1] = '{"type":"giftCard","number":"' .. ` +
        `chain_gifts[math.random(#chain_gifts)] .. '","amount":' .. g .. '}'`
      : `    tenders[#tenders + 1] = '{"type":"GIFT","amount":' .. g .. '}'`,
    "  end",
    `  if due > 0 then tenders[#tenders + 1] = '{"type":"CARD","amount":' .. due .. '}' end`,
    `  return '{"currency":"EUR",' .. customer .. b[1] .. ',"tenders":[' .. ` +
    `table.concat(tenders, ",") .. ']'` +
    (sale ? ` .. ',"receiptNumber":"LOAD-' .. id .. '","at":"' .. at .. '"}'` : ` .. '}'`),
    "end",
  ];
  return lines.join("\n");
}

/** The first basket as a request body, for the probe request before the measurement. */
export function chainSampleBody(data: ChainData, kind: "sale" | "quote"): unknown {
  const b = data.baskets[0];
  const body = JSON.parse(`{${b.json}}`);
  return {
    currency: "EUR",
    customer: { card: data.cards[0].number },
    ...body,
    tenders: b.total > 0 ? [{ type: "CARD", amount: b.total }] : [],
    ...(kind === "sale" ? { receiptNumber: "LOAD-{{id}}", at: "{{at}}" } : {}),
  };
}
