const zoneValidity = new Map<string, boolean>();

/**
 * True when the IANA zone name is accepted by Intl: a store's trading day depends on it.
 * Remembered per name: every POS sale validates its zone, and building a DateTimeFormat to
 * find out costs more than the rest of the check.
 */
export function isValidTimeZone(tz: string): boolean {
  let valid = zoneValidity.get(tz);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      valid = true;
    } catch {
      valid = false;
    }
    if (zoneValidity.size < 1_000) zoneValidity.set(tz, valid);
  }
  return valid;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the zone's wall clock is ahead of UTC at `instant` (whole seconds). */
function offsetAt(instant: number, timeZone: string): number {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    wallClocks.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a store's wall clock shows `date` (YYYY-MM-DD) at `time` (HH:MM) in `timeZone`.
 * A time skipped by a daylight-saving change lands an hour later; a repeated one is taken at its
 * second occurrence.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offset at the first guess can differ from the one at the answer near a change: twice.
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return new Date(guess);
}

/** Today's date (YYYY-MM-DD) on the wall clock of `timeZone`. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Date(now.getTime() + offsetAt(now.getTime(), timeZone)).toISOString().slice(0, 10);
}

/**
 * Years a sale's or return's time may fall in. Far beyond them, the trading day on a store's
 * clock (9999-12-31T23:00Z is year 10000 in Paris) is no date Postgres can hold.
 */
export const TRANSACTION_YEARS = { from: 2000, to: 2099 } as const;

/** True when an ISO 8601 time falls in TRANSACTION_YEARS (in UTC). */
export function isTransactionTime(iso: string): boolean {
  const year = new Date(iso).getUTCFullYear();
  return year >= TRANSACTION_YEARS.from && year <= TRANSACTION_YEARS.to;
}

/**
 * The zone most of `zones` are (ties: the first alphabetically), undefined for none: a
 * programme's clock, and what a new store's zone defaults to (newStoreZone).
 */
export function mostCommonZone(zones: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const z of zones) counts.set(z, (counts.get(z) ?? 0) + 1);
  let best: string | undefined;
  for (const [zone, n] of counts) {
    const m = best === undefined ? 0 : counts.get(best)!;
    if (n > m || (n === m && zone < best!)) best = zone;
  }
  return best;
}

/**
 * The zone a new store defaults to: its site's stores' (the most common), else its
 * organization's, UTC only when it has no store yet. The console's form and the API agree.
 */
export const newStoreZone = (siteZones: readonly string[], orgZones: readonly string[]) =>
  mostCommonZone(siteZones) ?? mostCommonZone(orgZones) ?? "UTC";
