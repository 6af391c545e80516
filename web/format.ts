const clocks = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant as the console shows every date and time: on the clock of `timeZone` with its
 * offset, "7 Dec 2026, 14:30 UTC+01:00" (in Europe/Paris; "… UTC" where the offset is zero). Pass
 * the zone of the store it happened at, else the programme's (groupTimeZone) or the
 * organization's (orgTimeZone). 24-hour, day before month, whatever the reader's locale, so a
 * page reads the same for everyone. Browser-safe: islands use it too.
 */
export function when(instant: Date | string, timeZone: string): string {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "longOffset",
    });
    if (clocks.size < 1_000) clocks.set(timeZone, clock);
  }
  const p: Record<string, string> = {};
  for (const part of clock.formatToParts(new Date(instant))) p[part.type] = part.value;
  const offset = p.timeZoneName.replace("GMT", "UTC");
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${offset}`;
}

/**
 * A trading day (YYYY-MM-DD, already a date on the store's clock) as people read it:
 * "Tue 3 Nov 2026", or "3 Nov" short. Formatted in UTC so the date is never shifted again.
 */
export function formatDay(day: string, short = false): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    ...(short
      ? { day: "numeric", month: "short" }
      : { weekday: "short", day: "numeric", month: "short", year: "numeric" }),
  }).format(new Date(`${day}T12:00:00Z`));
}

/** A fraction of 1 as a percentage with one decimal (0.4567 → "45.7%"); "–" for none. */
export const formatShare = (share: number | null) =>
  share === null ? "–" : `${(share * 100).toFixed(1)}%`;

// Figures as people read them, shared by the server's pages and the islands (browser-safe).

/** Points held in hundredths, with their two decimals: 123456 → "1,234.56". */
export const formatPoints = (hundredths: number, locale?: string) =>
  new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(hundredths / 100);

/** Signed points (a change): "+12.50", "−3.00", "0.00". */
export const formatPointsChange = (hundredths: number, locale?: string) =>
  new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: "exceptZero",
  }).format(hundredths / 100);

/** Minor units in the currency's units, in the locale's way: 123450 EUR → "€1,234.50". */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A whole count: 12345 → "12,345". */
export const formatCount = (n: number, locale?: string) =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
