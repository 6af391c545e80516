/**
 * Amounts as people type and read them: 25.00 in the currency, 2500 minor units inside. Integer
 * arithmetic on the digits, so no float rounding ever reaches a balance.
 */
import { minorUnitDigits } from "./currency.ts";

/** A typed amount ("25", "25.5", "25.50") in minor units of `currency`, or what is wrong. */
export function parseAmount(
  text: string,
  currency: string,
): { minor: number; error?: undefined } | { error: string } {
  const digits = minorUnitDigits(currency);
  const m = /^(\d{1,10})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return { error: "an amount such as 25.00" };
  if ((m[2] ?? "").length > digits) return { error: `at most ${digits} decimals in ${currency}` };
  return { minor: Number(m[1] + (m[2] ?? "").padEnd(digits, "0")) };
}

/** Minor units as a plain decimal of the currency: 2500 EUR → "25.00", -5 EUR → "-0.05". */
export function decimalAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits ? `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}` : sign + abs;
}

/** Minor units for people, with the currency's sign: 2500 EUR → "€25.00". */
export const formatMoney = (minor: number, currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency })
    .format(minor / 10 ** minorUnitDigits(currency));
