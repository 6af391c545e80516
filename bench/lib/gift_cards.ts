/**
 * The gift cards of the redemption scenarios, and what must hold after they ran.
 *
 * Preparation, through the project's own services before the server starts: a gift-card series
 * of its own (instruments/series.ts), its cards generated (instruments/generation.ts) and each
 * activated by staff with its load (instruments/activities.ts `staffMove`): the many cards of
 * `redeem-many` with MANY_CARD_LOAD each, and one card per `redeem-one` burst with
 * ONE_CARD_LOAD.
 *
 * The checks, once the server has stopped, read the database the load wrote:
 *
 *   - overdraws, over every card of the database: a card's FUNDS balance below zero, an entry
 *     of a card's FUNDS account whose running balance (balance_after) is below zero, an activity
 *     whose balance_after is below zero, a card with more redeemed than loaded (from its
 *     entries), a burst card with more successful redemptions than floor(load / amount) —
 *     counted once per card: "overdraws found: N" must say 0;
 *   - each burst card: exactly floor(load / amount) redemptions answered 200 and recorded, and
 *     its balance then load − that × amount (0 here);
 *   - the liability of every gift-card and store-credit series (instruments/accounts.ts
 *     `seriesLiabilities`): the sum of its card balances equals minus its liability and
 *     breakage accounts;
 *   - each activity that moved money agrees with the ledger entry it posted.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.ts";
import { FUNDS, seriesLiabilities } from "../../instruments/accounts.ts";
import { staffMove } from "../../instruments/activities.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import { createSeries } from "../../instruments/series.ts";
import { getGroup } from "../../programme/groups.ts";
import { MANY_CARD_LOAD, ONE_CARD_LOAD, REDEEM_AMOUNT } from "./endpoints.ts";

/** What the redemption scenarios drive. */
export interface GiftCards {
  seriesId: string;
  seriesName: string;
  currency: string;
  /** Cards of `redeem-many`, each loaded with `manyLoad`. */
  many: string[];
  manyLoad: number;
  /** One card per `redeem-one` burst (the warm-up's first, when there is one). */
  one: string[];
  oneLoad: number;
  /** Minor units each redemption asks for. */
  amount: number;
  /** Seconds the series, the cards and their loads took. */
  seconds: number;
}

/** Creates the series and its loaded cards; `one` cards for bursts, `many` for the rest. */
export async function prepareGiftCards(
  db: Db,
  groupId: string,
  counts: { many: number; one: number; workers: number },
  log: (msg: string) => void,
): Promise<GiftCards> {
  const started = performance.now();
  const group = await getGroup(db, groupId);
  const actor = await db.selectFrom("staff_users").select(["id", "email"])
    .orderBy("is_owner", "desc").orderBy("created_at").limit(1).executeTakeFirst();
  if (!group || !actor) throw new Error("no programme or staff member for the gift cards");
  // A prefix of its own: a run in place never meets the cards of an earlier one.
  const prefix = `69${
    String(crypto.getRandomValues(new Uint32Array(1))[0] % 1e6).padStart(6, "0")
  }`;
  const series = await createSeries(db, group, {
    name: `Load benchmark ${prefix}`,
    type: "gift-card",
    prefix,
    currency: "EUR",
    initialValue: 0,
    expiryDays: null,
  }, actor);
  const total = counts.many + counts.one;
  const generation = await startGeneration(db, series, { count: total, key: "load", actor });
  const done = await runGeneration(db, generation.id);
  if (done.status !== "done") {
    throw new Error(`the gift cards were not generated: ${done.error ?? done.status}`);
  }
  const cards = await db.selectFrom("instruments").select(["id", "number"])
    .where("series_id", "=", series.id).orderBy("number").execute();
  const one = cards.slice(0, counts.one);
  const many = cards.slice(counts.one);

  // Activated by staff with their load, a few at a time on a pool (PGlite runs one anyway).
  const jobs = [
    ...one.map((c) => ({ id: c.id, amount: ONE_CARD_LOAD })),
    ...many.map((c) => ({ id: c.id, amount: MANY_CARD_LOAD })),
  ];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await staffMove(db, job.id, {
        move: "activate",
        reason: "load benchmark",
        amount: job.amount,
      }, actor);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, counts.workers) }, worker));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log(
    `gift cards: series ${series.name}, ${many.length.toLocaleString("en")} cards of ` +
      `${money(MANY_CARD_LOAD)} and ${one.length} of ${money(ONE_CARD_LOAD)}, in ${seconds} s`,
  );
  return {
    seriesId: series.id,
    seriesName: series.name,
    currency: series.currency,
    many: many.map((c) => c.number),
    manyLoad: MANY_CARD_LOAD,
    one: one.map((c) => c.number),
    oneLoad: ONE_CARD_LOAD,
    amount: REDEEM_AMOUNT,
    seconds,
  };
}

/** Minor units of a two-digit currency as major units: 1,000.00. */
export const money = (minor: number) =>
  (minor / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** What a burst on one card answered, as counted by the client. */
export interface BurstOutcome {
  card: string;
  phase: "warm-up" | "measured";
  requests: number;
  successes: number;
  conflicts: number;
  others: number;
}

export interface OneCardCheck extends BurstOutcome {
  loaded: number;
  amount: number;
  /** floor(loaded / amount): how many may succeed, and must. */
  expected: number;
  /** Redemptions recorded on the card (its history). */
  recorded: number;
  balance: number;
  ok: boolean;
}

export interface SeriesLiability {
  seriesId: string;
  name: string;
  currency: string;
  cards: number;
  /** The sum of the series' card balances. */
  outstanding: number;
  /** Minus the balance of its liability account. */
  liability: number;
  ok: boolean;
}

export interface GiftCardCheck {
  /** Cards with at least one sign of an overdraw (each card counted once). */
  overdraws: number;
  /** The signs found, by kind: how many of each (a card may show several). */
  signs: {
    balanceBelowZero: number;
    entryBelowZero: number;
    activityBelowZero: number;
    redeemedMoreThanLoaded: number;
    burstSuccessesAboveLoad: number;
  };
  /** Up to 20 card numbers with an overdraw. */
  overdrawnCards: string[];
  /** FUNDS accounts whose kept balance is not the sum of their entries. */
  balanceMismatches: number;
  /** Money-moving activities whose amount or balance_after differs from their FUNDS entry. */
  activityMismatches: number;
  oneCard: OneCardCheck[];
  /** The many cards: redemptions recorded, and what is left on them. */
  manyCards: {
    cards: number;
    loaded: number;
    redemptions: number;
    redeemed: number;
    outstanding: number;
  } | null;
  liability: SeriesLiability[];
  /** Every check above holds. */
  ok: boolean;
}

/** The checks of the module comment, on the database after the load. */
export async function checkGiftCards(
  db: Db,
  gift: GiftCards | undefined,
  bursts: BurstOutcome[],
): Promise<GiftCardCheck> {
  // Every card's FUNDS account: kept balance, entries' sum, loaded (+) and redeemed (−), the
  // lowest running balance.
  const accounts = await sql<{
    instrument_id: string;
    number: string;
    series_id: string;
    balance: string;
    total: string;
    loaded: string;
    redeemed: string;
    lowest: string | null;
  }>`
    select a.instrument_id, i.number, i.series_id, a.balance::text as balance,
      coalesce(sum(e.amount), 0)::text as total,
      coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as loaded,
      coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::text as redeemed,
      min(e.balance_after)::text as lowest
    from ledger_accounts a
    join instruments i on i.id = a.instrument_id
    left join ledger_entries e on e.account_id = a.id
    where a.code = ${FUNDS} and a.instrument_id is not null
    group by a.id, a.instrument_id, i.number, i.series_id, a.balance`.execute(db);
  const activities = await sql<{ instrument_id: string; number: string }>`
    select distinct v.instrument_id, i.number from instrument_activities v
    join instruments i on i.id = v.instrument_id where v.balance_after < 0`.execute(db);
  const activityMismatches = await sql<{ n: string }>`
    select count(*)::text as n from instrument_activities v
    join instruments i on i.id = v.instrument_id
    join ledger_accounts a on a.instrument_id = v.instrument_id and a.code = ${FUNDS}
    join ledger_entries e on e.transaction_id = v.ledger_transaction_id and e.account_id = a.id
    where v.ledger_transaction_id is not null
      and (e.amount <> v.amount or e.balance_after <> v.balance_after)`.execute(db);

  const overdrawn = new Set<string>();
  const signs = {
    balanceBelowZero: 0,
    entryBelowZero: 0,
    activityBelowZero: 0,
    redeemedMoreThanLoaded: 0,
    burstSuccessesAboveLoad: 0,
  };
  let balanceMismatches = 0;
  const byNumber = new Map<string, (typeof accounts.rows)[number]>();
  for (const a of accounts.rows) {
    byNumber.set(a.number, a);
    if (Number(a.balance) !== Number(a.total)) balanceMismatches++;
    const signsOf = [
      Number(a.balance) < 0 && "balanceBelowZero",
      a.lowest !== null && Number(a.lowest) < 0 && "entryBelowZero",
      Number(a.redeemed) > Number(a.loaded) && "redeemedMoreThanLoaded",
    ].filter(Boolean) as (keyof typeof signs)[];
    for (const s of signsOf) signs[s]++;
    if (signsOf.length) overdrawn.add(a.number);
  }
  for (const a of activities.rows) {
    signs.activityBelowZero++;
    overdrawn.add(a.number);
  }

  // The burst cards: exactly floor(load / amount) redemptions, answered and recorded.
  const oneCard: OneCardCheck[] = [];
  if (gift && bursts.length) {
    const recorded = await db.selectFrom("instrument_activities as v")
      .innerJoin("instruments as i", "i.id", "v.instrument_id")
      .select("i.number").select((eb) => eb.fn.countAll<string>().as("n"))
      .where("i.number", "in", bursts.map((b) => b.card)).where("i.series_id", "=", gift.seriesId)
      .where("v.kind", "=", "redeem").groupBy("i.number").execute();
    const count = new Map(recorded.map((r) => [r.number, Number(r.n)]));
    for (const b of bursts) {
      const expected = Math.floor(gift.oneLoad / gift.amount);
      const balance = Number(byNumber.get(b.card)?.balance ?? 0);
      const n = count.get(b.card) ?? 0;
      if (b.successes > expected || n > expected) {
        signs.burstSuccessesAboveLoad++;
        overdrawn.add(b.card);
      }
      oneCard.push({
        ...b,
        loaded: gift.oneLoad,
        amount: gift.amount,
        expected,
        recorded: n,
        balance,
        // The money: exactly `expected` redemptions, answered and recorded, and the balance
        // they leave. Requests that got no answer (a timeout) are `others`, shown but not a
        // failure of the card: their redemptions, if any, are in `recorded`.
        ok: b.successes === expected && n === expected &&
          balance === gift.oneLoad - expected * gift.amount,
      });
    }
  }

  let manyCards: GiftCardCheck["manyCards"] = null;
  if (gift && gift.many.length) {
    const many = new Set(gift.many);
    const rows = accounts.rows.filter((a) => many.has(a.number));
    const redemptions = await sql<{ n: string }>`
      select count(*)::text as n from instrument_activities v
      join instruments i on i.id = v.instrument_id
      where i.series_id = ${gift.seriesId}::uuid and v.kind = 'redeem'
        and not (i.number = any(${gift.one}::text[]))`.execute(db);
    manyCards = {
      cards: gift.many.length,
      loaded: rows.reduce((s, a) => s + Number(a.loaded), 0),
      redemptions: Number(redemptions.rows[0].n),
      redeemed: rows.reduce((s, a) => s + Number(a.redeemed), 0),
      outstanding: rows.reduce((s, a) => s + Number(a.balance), 0),
    };
  }

  // The liability of every series that carries money, the demo's included.
  const series = await db.selectFrom("series").select(["id", "name", "currency"])
    .where("type", "in", ["gift-card", "store-credit"]).orderBy("created_at").execute();
  const liabilities = await seriesLiabilities(db, series.map((s) => s.id));
  const cardCounts = new Map<string, number>();
  for (const a of accounts.rows) {
    cardCounts.set(a.series_id, (cardCounts.get(a.series_id) ?? 0) + 1);
  }
  const liability = series.map((s) => {
    const l = liabilities.get(s.id)!;
    return {
      seriesId: s.id,
      name: s.name,
      currency: s.currency,
      cards: cardCounts.get(s.id) ?? 0,
      outstanding: l.outstanding,
      liability: l.liability,
      ok: l.outstanding === l.liability,
    };
  });

  const mismatches = Number(activityMismatches.rows[0].n);
  return {
    overdraws: overdrawn.size,
    signs,
    overdrawnCards: [...overdrawn].slice(0, 20),
    balanceMismatches,
    activityMismatches: mismatches,
    oneCard,
    manyCards,
    liability,
    ok: overdrawn.size === 0 && balanceMismatches === 0 && mismatches === 0 &&
      oneCard.every((c) => c.ok) && liability.every((l) => l.ok),
  };
}

/** The lines the benchmark prints about the gift cards. */
export function formatGiftCardCheck(c: GiftCardCheck): string {
  const lines = [
    `overdraws found: ${c.overdraws}` + (
      c.overdraws
        ? ` (${
          Object.entries(c.signs).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(", ")
        }; cards ${c.overdrawnCards.join(", ")})`
        : ""
    ),
  ];
  for (const o of c.oneCard) {
    lines.push(
      `one card (${o.phase} burst, ${o.card}): ${o.requests} requests of ${money(o.amount)} on ` +
        `${money(o.loaded)}: ${o.successes} succeeded (expected ${o.expected}), ` +
        `${o.conflicts} × 409, ${o.others} other${o.others ? " (no answer or not a 409)" : ""}; ` +
        `${o.recorded} recorded, balance ` +
        `${money(o.balance)} (${o.ok ? "ok" : "WRONG"})`,
    );
  }
  if (c.manyCards) {
    const m = c.manyCards;
    lines.push(
      `many cards: ${m.cards.toLocaleString("en")} cards, ${money(m.loaded)} loaded, ` +
        `${m.redemptions.toLocaleString("en")} redemptions recorded = ${money(m.redeemed)}, ` +
        `${money(m.outstanding)} left`,
    );
  }
  if (c.balanceMismatches || c.activityMismatches) {
    lines.push(
      `MISMATCHES: ${c.balanceMismatches} card balances ≠ their entries, ` +
        `${c.activityMismatches} activities ≠ their ledger entry`,
    );
  }
  for (const l of c.liability) {
    lines.push(
      `liability: outstanding ${money(l.outstanding)} ${l.ok ? "=" : "≠"} liability ` +
        `${money(l.liability)} ` +
        `${l.currency} (${l.ok ? "ok" : "MISMATCH"}) — series "${l.name}", ` +
        `${l.cards.toLocaleString("en")} cards with money`,
    );
  }
  return lines.join("\n");
}
