/**
 * Instrument numbers. Value-carrying instruments (gift cards, store credit, loyalty cards) get
 * numeric numbers: the series prefix, random digits, a Luhn check digit. Coupons get codes
 * over an alphabet without look-alike characters, closed by a mod-31 check character. The
 * random part comes from the CSPRNG by rejection sampling, so every digit is uniform and one
 * number says nothing about the next; outputs with a run that a person could guess or mistype
 * (six ascending, descending or repeated characters) are drawn again.
 */
import type { InstrumentType } from "../db/schema.ts";

/** Coupon code characters: digits 2–9 and letters without I, L, O (no 0/O, 1/I/L mix-ups). */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export const isNumericType = (type: InstrumentType) => type !== "coupon";

/** What a series prefix may be, per kind of number. */
export const PREFIX_RULES = {
  numeric: { pattern: /^[0-9]{1,8}$/, message: "1 to 8 digits" },
  code: {
    pattern: /^[2-9A-HJKMNP-Z]{1,8}$/,
    message: "1 to 8 characters from 2–9 and A–Z without I, L, O",
  },
} as const;

export const prefixRule = (type: InstrumentType) =>
  isNumericType(type) ? PREFIX_RULES.numeric : PREFIX_RULES.code;

/** At least this many random characters follow the prefix, whatever its length. */
const MIN_RANDOM_DIGITS = 10;
const MIN_NUMBER_LENGTH = 16;
const RANDOM_CODE_CHARS = 10;
/** A run this long (ascending, descending or repeated) is refused. */
export const MAX_RUN = 6;

const CODE_INDEX = new Map([...CODE_ALPHABET].map((ch, i) => [ch, i]));
const CODE_PATTERN = /^[2-9A-HJKMNP-Z]{11,19}$/;
const NUMBER_PATTERN = /^[0-9]{16,19}$/;
/**
 * What the generator accepts: a series prefix, or none — the automatic customer-card series
 * has no prefix (its card numbers are customer numbers), and may be generated into too.
 */
const GENERATOR_PREFIX = { numeric: /^[0-9]{0,8}$/, code: /^[2-9A-HJKMNP-Z]{0,8}$/ };

/** Uniform integers below `n` from crypto.getRandomValues, bytes fetched 64 KiB at a time. */
class RandomSource {
  #buf = new Uint8Array(65536);
  #pos = this.#buf.length;

  below(n: number): number {
    // Bytes at or above the largest multiple of n would make small values likelier: skip them.
    const limit = 256 - (256 % n);
    for (;;) {
      if (this.#pos === this.#buf.length) {
        crypto.getRandomValues(this.#buf);
        this.#pos = 0;
      }
      const b = this.#buf[this.#pos++];
      if (b < limit) return b % n;
    }
  }
}

const random = new RandomSource();

/**
 * True when a run of MAX_RUN values that step by +1, -1 or 0 ends at or after `from` — runs
 * wholly inside the prefix are the administrator's choice and are not counted.
 */
export function hasSequentialRun(values: number[], from = 0): boolean {
  for (const step of [1, -1, 0]) {
    let run = 1;
    for (let i = 1; i < values.length; i++) {
      run = values[i] - values[i - 1] === step ? run + 1 : 1;
      if (run >= MAX_RUN && i >= from) return true;
    }
  }
  return false;
}

/** The Luhn check digit for `payload` (the digit that makes payload + digit valid). */
function luhnCheckDigit(payload: number[]): number {
  let sum = 0;
  // The check digit takes the rightmost place, so the payload's last digit is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload[i];
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Mod-31 weights by position, 1..30 repeating: each is invertible mod 31 (a prime) and
 * neighbours differ, so every single substitution and adjacent transposition changes the sum.
 */
const weight = (i: number) => (i % 30) + 1;
const inverseMod31 = (w: number) => {
  for (let x = 1; x < 31; x++) if ((w * x) % 31 === 1) return x;
  throw new Error(`no inverse of ${w}`);
};

function codeCheckValue(payload: number[]): number {
  let sum = 0;
  payload.forEach((v, i) => sum += weight(i) * v);
  return ((31 - (sum % 31)) * inverseMod31(weight(payload.length))) % 31;
}

/** Total length of a numeric number with this prefix: 16, or more so that ≥10 digits are random. */
export const numericLength = (prefix: string) =>
  Math.max(MIN_NUMBER_LENGTH, prefix.length + MIN_RANDOM_DIGITS + 1);

function generateNumeric(prefix: string): string {
  const digits = [...prefix].map(Number);
  const randomCount = numericLength(prefix) - prefix.length - 1;
  for (;;) {
    const out = digits.slice();
    for (let i = 0; i < randomCount; i++) out.push(random.below(10));
    out.push(luhnCheckDigit(out));
    if (!hasSequentialRun(out, prefix.length)) return out.join("");
  }
}

function generateCode(prefix: string): string {
  const values = [...prefix].map((ch) => CODE_INDEX.get(ch)!);
  for (;;) {
    const out = values.slice();
    for (let i = 0; i < RANDOM_CODE_CHARS; i++) out.push(random.below(CODE_ALPHABET.length));
    out.push(codeCheckValue(out));
    if (!hasSequentialRun(out, prefix.length)) return out.map((v) => CODE_ALPHABET[v]).join("");
  }
}

/** A new random number (or coupon code) for a series of `type` with `prefix`. */
export function generateNumber(type: InstrumentType, prefix: string): string {
  const numeric = isNumericType(type);
  if (!(numeric ? GENERATOR_PREFIX.numeric : GENERATOR_PREFIX.code).test(prefix)) {
    throw new Error(`prefix ${prefix} is not ${prefixRule(type).message}`);
  }
  return numeric ? generateNumeric(prefix) : generateCode(prefix);
}

/**
 * True when `value` has the shape of a `type` number and its check character matches: a
 * mistyped character, or two swapped neighbours, is caught before any lookup.
 */
export function isValidNumber(type: InstrumentType, value: string): boolean {
  if (isNumericType(type)) {
    if (!NUMBER_PATTERN.test(value)) return false;
    const digits = [...value].map(Number);
    return luhnCheckDigit(digits.slice(0, -1)) === digits[digits.length - 1];
  }
  if (!CODE_PATTERN.test(value)) return false;
  const values = [...value].map((ch) => CODE_INDEX.get(ch)!);
  return codeCheckValue(values.slice(0, -1)) === values[values.length - 1];
}
