/**
 * Verifying a POS token with the cache warm (signature and claims only) against cold (the jti
 * evicted first, so each check also reads the token's record and its POS, store, site and
 * organization). In-memory PGlite; the warm check is the baseline of the group.
 */
import { connect } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createPos } from "../../registry/pos.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { issueDeviceToken } from "../../tokens/device_tokens.ts";
import { DeviceVerifier } from "../../tokens/device_verifier.ts";
import { createOwner } from "../../staff/users.ts";

const ISSUER = "http://localhost:8000";
const conn = await connect("memory://");
await migrateToLatest(conn.db);
const owner = await createOwner(conn.db, {
  email: "owner@example.com",
  name: "Owner",
  password: "correct horse battery",
});
const org = await createOrganization(conn.db, "Acme", owner!);
const site = await createSite(conn.db, org.id, "North", owner!);
const store = await createStore(conn.db, site, { number: 1, name: "One", timezone: "UTC" }, owner!);
const pos = await createPos(conn.db, store, { number: 1, name: "Till 1" }, owner!);
const { token, jti } = await issueDeviceToken({ db: conn.db, issuer: ISSUER }, {
  kind: "pos",
  pos,
}, { ttlDays: 365, createdBy: owner! });
const verifier = new DeviceVerifier({ db: conn.db, issuer: ISSUER });
await verifier.verify(token);

const group = "verify a POS token";
Deno.bench({
  name: "cache warm",
  group,
  baseline: true,
  fn: async () => {
    await verifier.verify(token);
  },
});
Deno.bench({
  name: "cache cold (database lookups)",
  group,
  fn: async () => {
    verifier.evict(jti);
    await verifier.verify(token);
  },
});
