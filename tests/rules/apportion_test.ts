import assert from "node:assert/strict";
import fc from "fast-check";
import { apportion } from "../../rules/apportion.ts";

Deno.test("apportion: largest remainder, ties to the lower index", () => {
  assert.deepEqual(apportion(100, [1000n, 2000n, 3000n]), [17, 33, 50]);
  assert.deepEqual(apportion(1, [1n, 1n]), [1, 0]);
  assert.deepEqual(apportion(2, [1n, 1n, 1n]), [1, 1, 0]);
  assert.deepEqual(apportion(5, [0n, 3n, 0n]), [0, 5, 0]);
  assert.deepEqual(apportion(0, []), []);
  assert.deepEqual(apportion(0, [0n]), [0]);
  assert.throws(() => apportion(1, [0n, 0n]), RangeError);
  assert.throws(() => apportion(1, [-1n, 2n]), RangeError);
  assert.throws(() => apportion(-1, [1n]), RangeError);
});

for (
  const [label, maxTotal, maxWeight] of [["doubles", 1e5, 10n ** 4n], [
    "BigInt",
    1e12,
    10n ** 15n,
  ]] as const
) {
  Deno.test(`property (${label}): parts sum to the total, within one of the exact share`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: maxTotal }),
        fc.array(fc.bigInt({ min: 0n, max: maxWeight }), { minLength: 1, maxLength: 30 })
          .filter((w) => w.some((x) => x > 0n)),
        (total, weights) => {
          const parts = apportion(total, weights);
          assert.equal(parts.reduce((a, b) => a + b, 0), total);
          const sum = weights.reduce((a, b) => a + b, 0n);
          parts.forEach((p, i) => {
            const exact = BigInt(total) * weights[i]; // over sum
            assert.ok(BigInt(p) * sum <= exact + sum && exact < (BigInt(p) + 1n) * sum);
            if (weights[i] === 0n) assert.equal(p, 0);
          });
          // Scaling every weight changes nothing: only the proportions count.
          assert.deepEqual(apportion(total, weights.map((w) => w * 10n ** 12n)), parts);
        },
      ),
    );
  });
}
