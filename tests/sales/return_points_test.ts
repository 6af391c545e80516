import assert from "node:assert/strict";
import fc from "fast-check";
import {
  redeemedBack,
  returnFigures,
  share,
  type SoldAward,
  type SoldLine,
} from "../../sales/return_points.ts";

const lines: SoldLine[] = [
  { index: 0, quantity: 3, returnedQuantity: 0, net: 3000 },
  { index: 1, quantity: 1, returnedQuantity: 0, net: 1000 },
];
const awards: SoldAward[] = [
  { lineIndex: 0, ruleId: "basic", type: "basic-points", reference: "SALE", points: 3000 },
  { lineIndex: 0, ruleId: "bonus", type: "item-points", reference: "ONBO", points: 1000 },
  { lineIndex: 1, ruleId: "basic", type: "basic-points", reference: "SALE", points: 1000 },
].map((a) => ({ ...a, reversed: 0 }));

Deno.test("a partial return with the setting on reverses every award of the line in proportion", () => {
  const f = returnFigures(lines, awards, [{ originalIndex: 0, quantity: 1 }], true);
  assert.deepEqual(f.reversals.map((r) => [r.ruleId, r.points]), [["basic", 1000], ["bonus", 333]]);
  assert.equal(f.value, 1000);
});

Deno.test("with the setting off only the basic points come back", () => {
  const f = returnFigures(lines, awards, [{ originalIndex: 0, quantity: 1 }], false);
  assert.deepEqual(f.reversals.map((r) => [r.ruleId, r.points]), [["basic", 1000]]);
});

Deno.test("the last of three partial returns takes exactly what is left", () => {
  let state = awards.map((a) => ({ ...a }));
  let sold = lines.map((l) => ({ ...l }));
  const taken: number[] = [];
  for (let i = 0; i < 3; i++) {
    const f = returnFigures(sold, state, [{ originalIndex: 0, quantity: 1 }], true);
    const bonus = f.reversals.find((r) => r.ruleId === "bonus")!.points;
    taken.push(bonus);
    state = state.map((a) => {
      const r = f.reversals.find((x) => x.lineIndex === a.lineIndex && x.ruleId === a.ruleId);
      return r ? { ...a, reversed: a.reversed + r.points } : a;
    });
    sold = sold.map((l) => ({
      ...l,
      returnedQuantity: f.returnedQuantity.get(l.index) ?? l.returnedQuantity,
    }));
  }
  assert.deepEqual(taken, [333, 333, 334]);
});

Deno.test("spent points come back with the value, all of them on a full return", () => {
  const sale = { total: 4000, redeemed: 15000, redeemedReturned: 0, returnedTotal: 0 };
  assert.equal(redeemedBack(sale, 1000, false), 3750);
  assert.equal(
    redeemedBack({ ...sale, redeemedReturned: 3750, returnedTotal: 1000 }, 3000, true),
    11250,
  );
});

Deno.test("property: any sequence of partial returns never reverses more than earned, and a full one exactly all", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 20 }),
    fc.integer({ min: -5000, max: 100000 }),
    fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 10 }),
    (quantity, points, steps) => {
      let returned = 0;
      let reversed = 0;
      for (const step of steps) {
        const q = Math.min(step, quantity - returned);
        if (q === 0) break;
        const f = returnFigures(
          [{ index: 0, quantity, returnedQuantity: returned, net: 100 * quantity }],
          [{ lineIndex: 0, ruleId: "r", type: "item-points", reference: "SALE", points, reversed }],
          [{ originalIndex: 0, quantity: q }],
          true,
        );
        reversed += f.reversals.reduce((s, r) => s + r.points, 0);
        returned += q;
        assert.ok(Math.abs(reversed) <= Math.abs(points));
      }
      if (returned === quantity) assert.equal(reversed, points);
      else assert.equal(reversed, share(points, returned, quantity));
    },
  ));
});
