import assert from "node:assert/strict";
import type { InstrumentStatus, InstrumentType } from "../../db/schema.ts";
import { seriesLiabilities } from "../../instruments/accounts.ts";
import { applyMove, lockInstrument, staffMove } from "../../instruments/activities.ts";
import type { Db } from "../../db/connection.ts";
import { runGeneration, startGeneration } from "../../instruments/generation.ts";
import type { StaffUser } from "../../staff/users.ts";
import { createSeries, type Series } from "../../instruments/series.ts";
import type { TestApp } from "./app.ts";
import type { World } from "./world.ts";

let made = 0;

/** A series of the world's group: gift cards in EUR unless told otherwise. */
export async function makeSeries(
  t: TestApp,
  w: World,
  opts: { type?: InstrumentType; currency?: string; initialValue?: number } = {},
): Promise<Series> {
  const type = opts.type ?? "gift-card";
  made++;
  return await createSeries(t.db, w.group, {
    name: `${type} ${made}`,
    type,
    // Coupon prefixes leave out 0 and 1 (the code alphabet).
    prefix: type === "coupon"
      ? `CP${String(made).replace(/[01]/g, (d) => d === "0" ? "Z" : "Y")}`
      : `9${made}`,
    currency: opts.currency ?? "EUR",
    initialValue: opts.initialValue ?? 0,
    expiryDays: null,
    ...(type === "coupon" ? { benefit: { kind: "amountOff" as const, amount: 500 } } : {}),
  }, w.owner);
}

/**
 * A card of `series` numbered `number`, in `status` with `balance` loaded: activated by staff
 * with the balance, then moved to the status asked (expired: its expiry date in the past).
 */
export async function makeCard(
  t: TestApp,
  w: World,
  series: Series,
  opts: { status?: InstrumentStatus; balance?: number; number?: string } = {},
) {
  const number = opts.number ?? `${series.prefix}${String(++made).padStart(10, "0")}`;
  const card = await t.db.insertInto("instruments").values({
    org_id: w.org.id,
    group_id: w.group.id,
    series_id: series.id,
    number,
  }).returningAll().executeTakeFirstOrThrow();
  const status = opts.status ?? "active";
  if (status !== "inactive") {
    await staffMove(t.db, card.id, {
      move: "activate",
      reason: "test",
      amount: opts.balance ?? 0,
    }, w.owner);
  }
  if (status === "blocked" || status === "void") {
    await staffMove(t.db, card.id, {
      move: status === "blocked" ? "block" : "void",
      reason: "test",
    }, w.owner);
  }
  if (status === "expired") {
    await t.db.updateTable("instruments").set({ expires_at: "2020-01-01T00:00:00Z" })
      .where("id", "=", card.id).execute();
  }
  return card;
}

/** Every series' liability equals the sum of its cards' balances. */
export async function assertLiabilityMatches(t: TestApp, seriesIds: string[]): Promise<void> {
  for (const [id, l] of await seriesLiabilities(t.db, seriesIds)) {
    assert.equal(l.liability, l.outstanding, `series ${id}: liability = sum of card balances`);
  }
}

/** Generates `count` instruments of the series through the services, to the end. */
export async function generateInstruments(
  db: Db,
  series: Series,
  count: number,
  actor: Pick<StaffUser, "id" | "email">,
) {
  const generation = await startGeneration(db, series, {
    count,
    key: crypto.randomUUID(),
    actor,
  });
  const done = await runGeneration(db, generation.id);
  if (done.status !== "done") throw new Error(`generation ${done.status}: ${done.error}`);
  return await db.selectFrom("instruments").selectAll().where("generation_id", "=", done.id)
    .orderBy("number").execute();
}

/** A redemption at a till, through the POS's own move: answers the card's balance after it. */
export async function redeemAtPos(
  db: Db,
  instrumentId: string,
  at: { storeId: string; posId: string; posLabel: string; receipt: string; amount: number },
) {
  return await db.transaction().execute(async (tx) => {
    const { group_id, number } = await tx.selectFrom("instruments").select(["group_id", "number"])
      .where("id", "=", instrumentId).executeTakeFirstOrThrow();
    const card = (await lockInstrument(tx, group_id, number))!;
    const moved = await applyMove(tx, card, "redeem", { amount: at.amount }, {
      storeId: at.storeId,
      posId: at.posId,
      label: at.posLabel,
      timezone: "UTC",
      receiptNumber: at.receipt,
    });
    return moved.state.balance;
  });
}
