import assert from "node:assert/strict";
import { when } from "../../web/format.ts";

Deno.test("one date-time format: the zone's clock, 24-hour, with its offset", () => {
  const winter = new Date("2026-12-07T13:30:00Z");
  assert.equal(when(winter, "Europe/Paris"), "7 Dec 2026, 14:30 UTC+01:00");
  assert.equal(when("2026-07-07T13:30:00Z", "Europe/Paris"), "7 Jul 2026, 15:30 UTC+02:00");
  assert.equal(when(winter, "UTC"), "7 Dec 2026, 13:30 UTC", "no offset to show");
  assert.equal(when(winter, "America/New_York"), "7 Dec 2026, 08:30 UTC-05:00");
  assert.equal(when(winter, "Asia/Kolkata"), "7 Dec 2026, 19:00 UTC+05:30");
  assert.equal(when("2026-12-07T23:30:00Z", "Europe/Paris"), "8 Dec 2026, 00:30 UTC+01:00");
  assert.equal(when("2026-12-07T00:05:00Z", "UTC"), "7 Dec 2026, 00:05 UTC", "midnight is 00");
});
