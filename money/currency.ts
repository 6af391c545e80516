/**
 * Money is integer minor units of an ISO 4217 currency, everywhere: no float ever reaches a
 * balance. This module knows currencies: their codes and how many minor digits a unit has.
 */
import * as z from "zod";

let knownCurrencies: Set<string> | undefined;

/**
 * True when the runtime's ICU knows the ISO 4217 code (a typo like "EUE" is rejected). The
 * list is read once: every POS call that carries money checks its currency.
 */
function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf("currency"));
  return knownCurrencies.has(code);
}

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, "ISO 4217 code, 3 capital letters")
  .refine(isKnownCurrency, "unknown ISO 4217 currency");
