import assert from "node:assert/strict";
import fc from "fast-check";
import {
  basicPoints,
  hundredthsToNumber,
  ROUNDING_MODES,
  toHundredths,
} from "../../rules/points.ts";

/** [spendMinor, digits, pointsPerUnitHundredths, {none, up, down, nearest}] */
const CASES: [number, number, number, Record<string, number>][] = [
  // 19.99 EUR at 1 point/EUR = 19.99 points
  [1999, 2, 100, { none: 1999, up: 2000, down: 1900, nearest: 2000 }],
  // 19.50 → exactly half: nearest goes up
  [1950, 2, 100, { none: 1950, up: 2000, down: 1900, nearest: 2000 }],
  [1949, 2, 100, { none: 1949, up: 2000, down: 1900, nearest: 1900 }],
  // 24.95 EUR at 0.1 = 2.495 points: none rounds half up to 2.50; nearest from the exact value → 2
  [2495, 2, 10, { none: 250, up: 300, down: 200, nearest: 200 }],
  // 0.01 EUR at 0.5 = 0.005 points → 0.01 with none
  [1, 2, 50, { none: 1, up: 100, down: 0, nearest: 0 }],
  // JPY has no minor digits: 1500 yen at 0.01/yen = 15 points
  [1500, 0, 1, { none: 1500, up: 1500, down: 1500, nearest: 1500 }],
  // KWD has 3: 1.234 KWD at 1.5 = 1.851 points
  [1234, 3, 150, { none: 185, up: 200, down: 100, nearest: 200 }],
  // 0.004 KWD at 1 = 0.004 → 0.00; 0.005 → 0.01
  [4, 3, 100, { none: 0, up: 100, down: 0, nearest: 0 }],
  [5, 3, 100, { none: 1, up: 100, down: 0, nearest: 0 }],
  // whole points stay whole in every mode
  [10000, 2, 200, { none: 20000, up: 20000, down: 20000, nearest: 20000 }],
  // zero spend
  [0, 2, 12345, { none: 0, up: 0, down: 0, nearest: 0 }],
  // large: 1 billion EUR at 10000 points/EUR; the product 1e17 is past 2^53, BigInt keeps it exact
  [100_000_000_000, 2, 1_000_000, { none: 1e15, up: 1e15, down: 1e15, nearest: 1e15 }],
];

Deno.test("basicPoints: exact values for each rounding mode", () => {
  for (const [spend, digits, pph, expected] of CASES) {
    for (const mode of ROUNDING_MODES) {
      assert.equal(
        basicPoints(spend, digits, pph, mode),
        expected[mode],
        `${spend}/${digits} at ${pph} (${mode})`,
      );
    }
  }
});

Deno.test("basicPoints rejects negative or fractional inputs", () => {
  assert.throws(() => basicPoints(-1, 2, 100, "none"), RangeError);
  assert.throws(() => basicPoints(1.5, 2, 100, "none"), RangeError);
  assert.throws(() => basicPoints(1, 2, 1.5, "none"), RangeError);
});

Deno.test("toHundredths is exact for two-decimal values", () => {
  assert.equal(toHundredths(0.29), 29);
  assert.equal(toHundredths(1.1), 110);
  assert.equal(toHundredths(10000), 1_000_000);
  assert.throws(() => toHundredths(0.295), RangeError);
});

const inputs = fc.tuple(
  fc.integer({ min: 0, max: 1e9 }),
  fc.constantFrom(0, 2, 3),
  fc.integer({ min: 0, max: 1_000_000 }),
);

Deno.test("property: results are integers; down <= nearest <= up; none within [down, up]", () => {
  fc.assert(
    fc.property(inputs, ([spend, digits, pph]) => {
      const [none, up, down, nearest] = (["none", "up", "down", "nearest"] as const)
        .map((m) => basicPoints(spend, digits, pph, m));
      for (const p of [none, up, down, nearest]) assert.ok(Number.isSafeInteger(p));
      for (const p of [up, down, nearest]) assert.equal(p % 100, 0, "whole points");
      assert.ok(down <= nearest && nearest <= up);
      assert.ok(down <= none && none <= up);
      assert.ok(up - down === 0 || up - down === 100);
      // none is the exact value to within half a hundredth
      const exact2 = 2n * BigInt(spend) * BigInt(pph);
      const den = 10n ** BigInt(digits);
      const err = exact2 - 2n * BigInt(none) * den;
      assert.ok(-den <= err && err < den, "none is half-up to the hundredth");
    }),
    { numRuns: 2000 },
  );
});

Deno.test("property: points are monotone in spend", () => {
  fc.assert(
    fc.property(inputs, fc.nat(10_000), ([spend, digits, pph], extra) => {
      for (const m of ROUNDING_MODES) {
        assert.ok(basicPoints(spend, digits, pph, m) <= basicPoints(spend + extra, digits, pph, m));
      }
    }),
  );
});

Deno.test("basicPoints throws rather than return an inexact huge number", () => {
  assert.throws(() => basicPoints(1e12, 0, 1_000_000, "none"), /out of range/);
});

Deno.test("hundredthsToNumber gives JSON numbers with at most two decimals", () => {
  assert.equal(JSON.stringify(hundredthsToNumber(1734)), "17.34");
  assert.equal(JSON.stringify(hundredthsToNumber(2700)), "27");
  assert.equal(JSON.stringify(hundredthsToNumber(1)), "0.01");
  assert.equal(JSON.stringify(hundredthsToNumber(-5)), "-0.05");
  assert.throws(() => hundredthsToNumber(1.5), RangeError);
  assert.throws(() => hundredthsToNumber(1e15 + 1), RangeError);
});

Deno.test("property: hundredthsToNumber prints the exact two-decimal value", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e15 }), (h) => {
      const whole = Math.floor(h / 100);
      const cents = String(h % 100).padStart(2, "0").replace(/0+$/, "");
      const expected = cents ? `${whole}.${cents}` : `${whole}`;
      assert.equal(JSON.stringify(hundredthsToNumber(h)), expected);
      assert.equal(toHundredths(hundredthsToNumber(h)), h);
    }),
    { numRuns: 5000 },
  );
});
