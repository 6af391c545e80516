import assert from "node:assert/strict";
import { sql } from "kysely";
import { inTransaction } from "../../db/transaction.ts";
import {
  customerPoints,
  POINTS,
  POINTS_ADJUSTED,
  POINTS_ISSUED,
  POINTS_REDEEMED,
  programmePoints,
} from "../../ledger/accounts.ts";
import { keyLineTotals, pointsBalances } from "../../ledger/balances.ts";
import { checkLedger, isSound } from "../../ledger/check.ts";
import { post, reverse } from "../../ledger/post.ts";
import { pointsStatement } from "../../ledger/statement.ts";
import { createCustomer } from "../../members/customers.ts";
import { createTestApp } from "../helpers/app.ts";
import { testBackend } from "../helpers/db.ts";
import { assertLedgerSound } from "../helpers/ledger.ts";
import { buildWorld } from "../helpers/world.ts";

const t = await createTestApp();
const w = await buildWorld(t);
const actor = { label: "test" };
const at = "2026-03-03T10:00:00Z";

async function newCustomer(name: string) {
  return (await createCustomer(t.db, w.group, { name, categories: ["GOLD"] }, w.settings))
    .customer;
}

/** Earns `points` hundredths for a customer: customer +, programme issued −. */
function earn(customerId: string, points: number, reference = "SALE") {
  return post(t.db, {
    orgId: w.org.id,
    groupId: w.group.id,
    reference: "SALE",
    at,
    actor,
    legs: [
      { account: customerPoints(w.org.id, w.group.id, customerId), amount: points, reference },
      { account: programmePoints(w.org.id, w.group.id, POINTS_ISSUED), amount: -points, reference },
    ],
  });
}

function redeem(customerId: string, points: number) {
  return post(t.db, {
    orgId: w.org.id,
    groupId: w.group.id,
    reference: "SALE",
    at,
    actor,
    legs: [
      {
        account: customerPoints(w.org.id, w.group.id, customerId),
        amount: -points,
        noOverdraw: { field: "tenders.0.points" },
      },
      { account: programmePoints(w.org.id, w.group.id, POINTS_REDEEMED), amount: points },
    ],
  });
}

Deno.test(`ledger (${testBackend})`, async (s) => {
  await s.step("a posting writes balanced entries and keeps the balance", async () => {
    const c = await newCustomer("Ann Ledger");
    const first = await earn(c.id, 1250);
    // The programme's account keeps no balance (migration 0017): its entries are summed.
    assert.deepEqual(first.balances, [1250, null]);
    await earn(c.id, 300, "ONBO");
    assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 1550);
    assert.equal((await keyLineTotals(t.db, [c.id], "ONBO")).get(c.id), 300);
    const lines = await pointsStatement(t.db, c.id, { limit: 10 });
    assert.deepEqual(lines.map((l) => [l.amount, l.balance, l.reference]), [
      [300, 1550, "ONBO"],
      [1250, 1250, "SALE"],
    ]);
    const next = await pointsStatement(t.db, c.id, { limit: 1, before: lines[0].entryId });
    assert.deepEqual(next.map((l) => l.amount), [1250]);
    await assertLedgerSound(t.db);
  });

  await s.step("an unbalanced posting is refused before anything is written", async () => {
    const c = await newCustomer("Bob Unbalanced");
    await assert.rejects(
      post(t.db, {
        orgId: w.org.id,
        groupId: w.group.id,
        reference: "SALE",
        at,
        actor,
        legs: [{ account: customerPoints(w.org.id, w.group.id, c.id), amount: 5 }],
      }),
      /off by 5 PTS/,
    );
    assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 0);
  });

  await s.step("a redemption never takes the balance below zero", async () => {
    const c = await newCustomer("Cy Short");
    await earn(c.id, 100);
    await assert.rejects(redeem(c.id, 101), (err: { status: number; slug: string }) => {
      assert.equal(err.status, 409);
      assert.equal(err.slug, "insufficient-points");
      return true;
    });
    await redeem(c.id, 100);
    assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 0);
    await assertLedgerSound(t.db);
  });

  await s.step(
    "50 concurrent redemptions of 1 point on a balance of 10: exactly 10 pass",
    async () => {
      const c = await newCustomer("Dee Concurrent");
      await earn(c.id, 1000);
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => redeem(c.id, 100)),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 10);
      for (const r of results) {
        if (r.status === "rejected") assert.equal(r.reason.slug, "insufficient-points");
      }
      assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 0);
      await assertLedgerSound(t.db);
    },
  );

  await s.step(
    "concurrent earnings of many customers all land on the programme's account",
    async () => {
      const customers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => newCustomer(`Busy ${i}`)),
      );
      await Promise.all(customers.flatMap((c) => [earn(c.id, 10), earn(c.id, 20)]));
      const balances = await pointsBalances(t.db, customers.map((c) => c.id));
      assert.deepEqual([...balances.values()], customers.map(() => 30));
      await assertLedgerSound(t.db);
    },
  );

  await s.step("a reversal posts the exact opposite, once", async () => {
    const c = await newCustomer("Eve Reversed");
    const adjust = await post(t.db, {
      orgId: w.org.id,
      groupId: w.group.id,
      reference: "ADJUST",
      at,
      actor: { staffId: w.owner.id, label: w.owner.email },
      reason: "goodwill",
      legs: [
        { account: customerPoints(w.org.id, w.group.id, c.id), amount: 700 },
        { account: programmePoints(w.org.id, w.group.id, POINTS_ADJUSTED), amount: -700 },
      ],
    });
    await reverse(t.db, adjust.id, { reference: "ADJUST", at, actor, reason: "typo" });
    assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 0);
    await assert.rejects(
      reverse(t.db, adjust.id, { reference: "ADJUST", at, actor }),
      (err: { status: number }) => err.status === 409,
    );
    await assertLedgerSound(t.db);
  });

  await s.step("a failing unit of work leaves no entry and no balance behind", async () => {
    const c = await newCustomer("Fay Crash");
    await assert.rejects(
      inTransaction(t.db, async (tx) => {
        await post(tx, {
          orgId: w.org.id,
          groupId: w.group.id,
          reference: "SALE",
          at,
          actor,
          legs: [
            { account: customerPoints(w.org.id, w.group.id, c.id), amount: 500 },
            { account: programmePoints(w.org.id, w.group.id, POINTS_ISSUED), amount: -500 },
          ],
        });
        throw new Error("injected after the entries");
      }),
      /injected/,
    );
    assert.equal((await pointsBalances(t.db, [c.id])).get(c.id), 0);
    assert.equal((await pointsStatement(t.db, c.id, { limit: 5 })).length, 0);
  });

  await s.step("entries and transactions can be neither changed nor deleted", async () => {
    const c = await newCustomer("Gus Immutable");
    const { id } = await earn(c.id, 42);
    await assert.rejects(
      t.db.deleteFrom("ledger_entries").where("transaction_id", "=", id).execute(),
      /append-only/,
    );
    await assert.rejects(
      t.db.updateTable("ledger_transactions").set({ reference: "X" }).where("id", "=", id)
        .execute(),
      /append-only/,
    );
    await assert.rejects(sql`truncate ledger_entries`.execute(t.db), /append-only/);
  });

  await s.step("the check finds a balance that was changed behind the ledger's back", async () => {
    const c = await newCustomer("Hal Tampered");
    await earn(c.id, 10);
    await t.db.updateTable("ledger_accounts").set({ balance: 11 })
      .where("customer_id", "=", c.id).where("unit", "=", POINTS).execute();
    const found = await checkLedger(t.db, w.org.id);
    assert.equal(isSound(found), false);
    assert.equal(found.balances.length, 1);
    await t.db.updateTable("ledger_accounts").set({ balance: 10 })
      .where("customer_id", "=", c.id).where("unit", "=", POINTS).execute();
    await assertLedgerSound(t.db);
  });

  await s.step("the check finds a sale line or award without its sale", async () => {
    const saleId = crypto.randomUUID();
    await t.db.insertInto("sale_lines").values({
      sale_id: saleId,
      index: 0,
      org_id: w.org.id,
      sku: "GHOST",
      quantity: 1,
      unit_price: 100,
      net: 100,
      points: 1,
    }).execute();
    await t.db.insertInto("sale_awards").values({
      sale_id: saleId,
      line_index: 0,
      rule_id: "basic",
      org_id: w.org.id,
      type: "basic-points",
      reference: "BASIC",
      points: 1,
    }).execute();
    const found = await checkLedger(t.db, w.org.id);
    assert.equal(isSound(found), false);
    assert.deepEqual(
      found.orphans.sort((a, b) => a.table.localeCompare(b.table)),
      [{ table: "sale_awards", parentId: saleId }, { table: "sale_lines", parentId: saleId }],
    );
    await t.db.deleteFrom("sale_awards").where("sale_id", "=", saleId).execute();
    await t.db.deleteFrom("sale_lines").where("sale_id", "=", saleId).execute();
    await assertLedgerSound(t.db);
  });

  await s.step("the check finds an entry without its transaction", async () => {
    const c = await newCustomer("Ivy Orphan");
    await earn(c.id, 5);
    const account = await t.db.selectFrom("ledger_accounts").select("id")
      .where("customer_id", "=", c.id).executeTakeFirstOrThrow();
    const transactionId = crypto.randomUUID();
    const rolledBack = new Error("rolled back");
    // Entries are append-only: the orphan is written, checked and rolled back in one transaction.
    await assert.rejects(
      inTransaction(t.db, async (tx) => {
        await tx.insertInto("ledger_entries").values({
          org_id: w.org.id,
          transaction_id: transactionId,
          account_id: account.id,
          unit: POINTS,
          amount: 1,
          balance_after: null,
          reference: "GHOST",
        }).execute();
        const found = await checkLedger(tx, w.org.id);
        assert.deepEqual(found.orphans, [{ table: "ledger_entries", parentId: transactionId }]);
        throw rolledBack;
      }),
      (err) => err === rolledBack,
    );
    await assertLedgerSound(t.db);
  });
});

Deno.test("close", () => t.close());
