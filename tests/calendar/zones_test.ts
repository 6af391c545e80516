import assert from "node:assert/strict";
import { mostCommonZone, newStoreZone, todayIn, zonedInstant } from "../../calendar/zones.ts";

Deno.test("a store's wall-clock time as an instant, across daylight saving", () => {
  const at = (d: string, t: string, tz: string) => zonedInstant(d, t, tz).toISOString();
  assert.equal(at("2025-03-04", "11:00", "Europe/Paris"), "2025-03-04T10:00:00.000Z");
  assert.equal(at("2025-07-01", "11:00", "Europe/Paris"), "2025-07-01T09:00:00.000Z");
  assert.equal(at("2025-03-04", "21:00", "America/New_York"), "2025-03-05T02:00:00.000Z");
  assert.equal(at("2025-03-04", "00:00", "Asia/Kolkata"), "2025-03-03T18:30:00.000Z");
  // 02:30 does not exist in Paris on 30 March 2025: an hour later, 03:30 CEST.
  assert.equal(at("2025-03-30", "02:30", "Europe/Paris"), "2025-03-30T01:30:00.000Z");
  // 02:30 happens twice on 26 October 2025: the second time, in CET.
  assert.equal(at("2025-10-26", "02:30", "Europe/Paris"), "2025-10-26T01:30:00.000Z");
});

Deno.test("today on a store's clock, not the server's", () => {
  const now = new Date("2025-03-04T23:30:00Z");
  assert.equal(todayIn("Europe/Paris", now), "2025-03-05");
  assert.equal(todayIn("America/New_York", now), "2025-03-04");
  assert.equal(todayIn("UTC", now), "2025-03-04");
});

Deno.test("the most common zone, ties alphabetical; a new store's default", () => {
  assert.equal(mostCommonZone([]), undefined);
  assert.equal(mostCommonZone(["Europe/Paris", "Asia/Tokyo", "Europe/Paris"]), "Europe/Paris");
  assert.equal(mostCommonZone(["Europe/Paris", "Asia/Tokyo"]), "Asia/Tokyo", "a tie");
  assert.equal(newStoreZone([], []), "UTC");
  assert.equal(newStoreZone([], ["Europe/Paris"]), "Europe/Paris");
  assert.equal(newStoreZone(["Asia/Tokyo"], ["Europe/Paris", "Europe/Paris"]), "Asia/Tokyo");
});
