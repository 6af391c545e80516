export const when = (d: Date) => d.toISOString().replace("T", " ").slice(0, 19) + " UTC";

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
