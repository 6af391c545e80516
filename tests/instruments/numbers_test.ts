import assert from "node:assert/strict";
import fc from "fast-check";
import type { InstrumentType } from "../../db/schema.ts";
import {
  CODE_ALPHABET,
  generateNumber,
  isValidNumber,
  numericLength,
} from "../../instruments/numbers.ts";

const DIGITS = "0123456789";
const NUMERIC_TYPES: InstrumentType[] = ["gift-card", "store-credit", "loyalty-card"];

// Series prefixes have 1–8 characters; the automatic customer-card series has none.
const prefixOf = (chars: string) =>
  fc.array(fc.constantFrom(...chars), { minLength: 0, maxLength: 8 }).map((a) => a.join(""));
const numericCase = fc.record({
  type: fc.constantFrom(...NUMERIC_TYPES),
  prefix: prefixOf(DIGITS),
});
const couponCase = fc.record({
  type: fc.constant<InstrumentType>("coupon"),
  prefix: prefixOf(CODE_ALPHABET),
});
const anyCase = fc.oneof(numericCase, couponCase);

/** The test's own oracle: the longest run of +1, -1 or equal steps that ends past the prefix. */
function longestRunPastPrefix(value: string, prefixLength: number, alphabet: string): number {
  const v = [...value].map((ch) => alphabet.indexOf(ch));
  let longest = 0;
  for (const step of [1, -1, 0]) {
    let run = 1;
    for (let i = 1; i < v.length; i++) {
      run = v[i] - v[i - 1] === step ? run + 1 : 1;
      if (i >= prefixLength) longest = Math.max(longest, run);
    }
  }
  return longest;
}

const alphabetOf = (type: InstrumentType) => type === "coupon" ? CODE_ALPHABET : DIGITS;

Deno.test("every generated number has its shape, its prefix and a valid check character", () => {
  fc.assert(
    fc.property(anyCase, ({ type, prefix }) => {
      const n = generateNumber(type, prefix);
      assert.ok(n.startsWith(prefix));
      assert.ok(isValidNumber(type, n), n);
      if (type === "coupon") {
        assert.equal(n.length, prefix.length + 11);
        assert.match(n, /^[2-9A-HJKMNP-Z]+$/);
        assert.doesNotMatch(n, /[01OIL]/);
      } else {
        assert.match(n, /^[0-9]{16,19}$/);
        assert.equal(n.length, numericLength(prefix));
        // At least ten random digits whatever the prefix, so numbers stay unguessable.
        assert.ok(n.length - prefix.length - 1 >= 10);
      }
    }),
    { numRuns: 2000 },
  );
});

Deno.test("no generated number has a run of 6 ascending, descending or repeated characters", () => {
  fc.assert(
    fc.property(anyCase, ({ type, prefix }) => {
      const n = generateNumber(type, prefix);
      assert.ok(longestRunPastPrefix(n, prefix.length, alphabetOf(type)) < 6, n);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("any single-character change fails the check", () => {
  fc.assert(
    fc.property(anyCase, fc.nat(), fc.nat(), ({ type, prefix }, at, by) => {
      const alphabet = alphabetOf(type);
      const n = generateNumber(type, prefix);
      const i = at % n.length;
      const old = alphabet.indexOf(n[i]);
      const replacement = alphabet[(old + 1 + (by % (alphabet.length - 1))) % alphabet.length];
      assert.notEqual(replacement, n[i]);
      const typo = n.slice(0, i) + replacement + n.slice(i + 1);
      assert.equal(isValidNumber(type, typo), false, `${n} → ${typo}`);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("swapping two different neighbours fails the check (Luhn: all but 09 ↔ 90)", () => {
  fc.assert(
    fc.property(anyCase, fc.nat(), ({ type, prefix }, at) => {
      const n = generateNumber(type, prefix);
      const i = at % (n.length - 1);
      const [a, b] = [n[i], n[i + 1]];
      fc.pre(a !== b);
      const swapped = n.slice(0, i) + b + a + n.slice(i + 2);
      const luhnBlindSpot = type !== "coupon" && [a, b].sort().join("") === "09";
      assert.equal(isValidNumber(type, swapped), luhnBlindSpot, `${n} → ${swapped}`);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("the validator refuses wrong shapes and accepts known Luhn numbers", () => {
  assert.ok(isValidNumber("gift-card", "4111111111111111"));
  assert.ok(isValidNumber("gift-card", "4539148803436467"));
  assert.equal(isValidNumber("gift-card", "4539148803436468"), false);
  assert.equal(isValidNumber("gift-card", "79927398713"), false, "too short for a card number");
  assert.equal(isValidNumber("gift-card", "45391488034364670000"), false, "too long");
  assert.equal(isValidNumber("gift-card", "4539 1488 0343 6467"), false);
  assert.equal(isValidNumber("coupon", "4111111111111111"), false);
  const code = generateNumber("coupon", "XMAS");
  assert.equal(isValidNumber("coupon", code.toLowerCase()), false);
  assert.equal(isValidNumber("gift-card", code), false);
  assert.equal(isValidNumber("coupon", code.replace(/.$/, "O")), false, "an ambiguous character");
});

Deno.test("generateNumber refuses a prefix that does not fit the type", () => {
  assert.throws(() => generateNumber("gift-card", "AB"));
  assert.throws(() => generateNumber("gift-card", "123456789"));
  assert.throws(() => generateNumber("coupon", "SALE0"));
  assert.throws(() => generateNumber("coupon", "ABCDEFGHJ"));
});

Deno.test("without a prefix: 16 random digits, or an 11-character code", () => {
  assert.match(generateNumber("loyalty-card", ""), /^[0-9]{16}$/);
  assert.match(generateNumber("coupon", ""), /^[2-9A-HJKMNP-Z]{11}$/);
});

Deno.test("random digits are uniform (chi-square over 100,000 digits)", () => {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    // Only ten of the random digits: the prefix is fixed and the last digit is the check.
    for (const d of generateNumber("gift-card", "50").slice(2, 12)) counts[Number(d)]++;
  }
  const expected = 100_000 / 10;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 9 degrees of freedom: above 45 has probability under one in a million for a fair source.
  // The run filter removes a few patterned draws (about 3 in 10,000), too few to move this.
  assert.ok(chi2 < 45, `chi-square ${chi2.toFixed(1)} for ${counts}`);
});
