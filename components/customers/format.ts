import { minorUnitDigits } from "../../money/currency.ts";

const POINTS = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/**
 * Hundredths of a point as points with two decimals and thousands grouped, signed when asked
 * (1234 → 12.34, 123456 → 1,234.56).
 */
export function formatPoints(hundredths: number, signed = false): string {
  const text = POINTS.format(Math.abs(hundredths) / 100);
  return hundredths < 0 ? `−${text}` : signed && hundredths > 0 ? `+${text}` : text;
}

/** Minor units of `currency` as an amount with its code (4250 EUR → 42.50 EUR). */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const text = (Math.abs(minor) / 10 ** digits).toFixed(digits);
  return `${minor < 0 ? "−" : ""}${text} ${currency}`;
}
