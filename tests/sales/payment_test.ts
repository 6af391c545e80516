/**
 * How tenders pay (sales/payment.ts), as plain arithmetic: a sale's tenders cover its total
 * exactly with only cash giving change, a return's exactly its value, and the default refunds of
 * any sequence of returns never give a tender more than it paid.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProblemError } from "../../errors/problem.ts";
import {
  payBack,
  payTotal,
  type RecordedTender,
  refundsToOriginal,
  type ValuedTender,
} from "../../sales/payment.ts";

const tender = (index: number, type: string, amount: number): ValuedTender => ({
  index,
  type,
  amount,
  field: `tenders.${index}.amount`,
});
const refusedField = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProblemError);
    assert.equal(err.status, 422);
    return (err.extra.errors ?? [])[0].field;
  }
  assert.fail("not refused");
};

Deno.test("a sale: cash may exceed what is due, as change; nothing else may", () => {
  assert.deepEqual(payTotal([tender(0, "CASH", 6000)], 5000, "EUR"), {
    change: 1000,
    tenders: [{ type: "CASH", amount: 5000 }],
  });
  assert.equal(
    payTotal([tender(0, "VISA", 2000), tender(1, "cash", 3500)], 5000, "EUR").change,
    500,
  );
  assert.equal(
    refusedField(() => payTotal([tender(0, "giftCard", 10_000)], 9000, "EUR")),
    "tenders.0.amount",
  );
  assert.equal(refusedField(() => payTotal([tender(0, "CASH", 10)], 5000, "EUR")), "tenders");
  assert.equal(refusedField(() => payTotal([], 5000, "EUR")), "tenders");
  assert.equal(
    refusedField(() => payTotal([tender(0, "CASH", 5000), tender(1, "CASH", 1)], 5000, "EUR")),
    "tenders.1.amount",
  );
  assert.deepEqual(payTotal([], 0, "EUR"), { change: 0, tenders: [] });
  assert.equal(
    refusedField(() => payTotal([tender(0, "CASH", 100)], 0, "EUR")),
    "tenders.0.amount",
  );
});

Deno.test("a sale: accepted tenders record exactly the total, the change only from cash", () => {
  const types = fc.constantFrom("CASH", "giftCard", "storeCredit", "points", "VISA");
  fc.assert(fc.property(
    fc.array(fc.tuple(types, fc.integer({ min: 1, max: 10_000 })), { maxLength: 6 }),
    fc.integer({ min: 0, max: 20_000 }),
    (sent, total) => {
      const tenders = sent.map(([type, amount], i) => tender(i, type, amount));
      let paid;
      try {
        paid = payTotal(tenders, total, "EUR");
      } catch (err) {
        assert.ok(err instanceof ProblemError && err.status === 422);
        return;
      }
      assert.equal(paid.tenders.reduce((s, t) => s + t.amount, 0), total);
      const sum = tenders.reduce((s, t) => s + t.amount, 0);
      assert.equal(paid.change, sum - total);
      paid.tenders.forEach((t, i) => {
        assert.ok(t.amount > 0);
        if (t.type !== "CASH") assert.equal(t.amount, tenders[i].amount);
      });
    },
  ));
});

Deno.test("a return: the refund tenders pay back exactly the value, no change", () => {
  assert.deepEqual(payBack([tender(0, "storeCredit", 1000)], 1000, "EUR"), [
    { type: "storeCredit", amount: 1000 },
  ]);
  assert.equal(
    refusedField(() => payBack([tender(0, "storeCredit", 500_000)], 1000, "EUR")),
    "tenders.0.amount",
  );
  assert.equal(
    refusedField(() => payBack([tender(0, "CASH", 1001)], 1000, "EUR")),
    "tenders.0.amount",
  );
  assert.equal(refusedField(() => payBack([tender(0, "CASH", 999)], 1000, "EUR")), "tenders");
  assert.deepEqual(payBack([], 0, "EUR"), []);
});

Deno.test("default refunds of any sequence of returns: cards first, never more than a tender paid", () => {
  const sale: RecordedTender[] = [
    { type: "CASH", amount: 2500 },
    { type: "giftCard", amount: 2000, number: "G1" },
    { type: "storeCredit", amount: 500, number: "S1" },
  ];
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 8 }),
    (values) => {
      const earlier: RecordedTender[] = [];
      let left = 5000;
      for (const asked of values) {
        const value = Math.min(asked, left);
        const refunds = refundsToOriginal(sale, earlier, value, { points: 0, value: 0 })!;
        assert.equal(refunds.reduce((s, r) => s + r.amount, 0), value);
        // Cash only once the cards have nothing left.
        const cardsLeft = 2500 - earlier.filter((r) => r.original !== 0)
          .reduce((s, r) => s + r.amount, 0);
        const toCash = refunds.find((r) => r.type === "CASH")?.amount ?? 0;
        assert.equal(toCash, Math.max(0, value - cardsLeft));
        earlier.push(...refunds);
        left -= value;
      }
      sale.forEach((t, i) => {
        const back = earlier.filter((r) => r.original === i).reduce((s, r) => s + r.amount, 0);
        assert.ok(back <= t.amount);
      });
    },
  ));
  // More than the recorded tenders can take (a sale recorded before they were kept): null.
  assert.equal(refundsToOriginal([], [], 100, { points: 0, value: 0 }), null);
});
