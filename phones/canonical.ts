import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import zones from "countries-and-timezones";

/**
 * The country a store's time zone lies in ("Europe/Paris" → "FR"): stores carry a zone, not a
 * country. Undefined for zones of no country (UTC, Etc/…).
 */
export function countryOfZone(timeZone: string | null | undefined): CountryCode | undefined {
  if (!timeZone) return undefined;
  return zones.getCountryForTimezone(timeZone)?.id as CountryCode | undefined;
}

/** Digits with the leading `+` kept: the form of a number libphonenumber cannot place. */
export function phoneDigits(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith("+") ? "+" : "") + trimmed.replace(/\D/g, "");
}

/**
 * The one form a phone number is stored and looked up in: E.164 ("+33612345678") when the
 * number is possible in the country of `timeZone` (a national number: "06 12 34 56 78" in
 * Europe/Paris) or carries its country code; else its digits (`phoneDigits`), so a number typed
 * without a country where none is known is kept, not refused.
 */
export function canonicalPhone(phone: string, timeZone?: string | null): string {
  const parsed = parsePhoneNumberFromString(phone, countryOfZone(timeZone));
  return parsed?.isPossible() ? parsed.number : phoneDigits(phone);
}
