/**
 * Migration 0016 on a database that holds customers: their phones become E.164 in the country
 * of their home store, else of the group's most common store zone; the folded names are there
 * for the search at once; down and up again keep the data. Runs on PGlite, or on
 * TEST_DATABASE_URL.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { Migrator } from "kysely/migration";
import { migrateToLatest } from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/mod.ts";
import { searchCustomers } from "../../members/customers.ts";
import { createGroup } from "../../programme/groups.ts";
import { addMerchantToGroup, createMerchant } from "../../programme/merchants.ts";
import { createOrganization } from "../../registry/organizations.ts";
import { createSite } from "../../registry/sites.ts";
import { createStore } from "../../registry/stores.ts";
import { createOwner } from "../../staff/users.ts";
import { createTestDatabase, testBackend } from "../helpers/db.ts";

Deno.test(`0016 backfills canonical phones and folded names (${testBackend})`, async () => {
  const database = await createTestDatabase();
  const { db } = database;
  try {
    const owner = (await createOwner(db, {
      email: "owner@example.com",
      name: "Owner",
      password: "owner password 1",
    }))!;
    const org = await createOrganization(db, "Acme", owner);
    const site = await createSite(db, org.id, "Site", owner);
    const zones = ["Europe/Paris", "Europe/Paris", "Australia/Sydney"];
    const stores = [];
    for (const [i, timezone] of zones.entries()) {
      stores.push(await createStore(db, site, { number: i + 1, name: `S${i}`, timezone }, owner));
    }
    const group = await createGroup(db, { orgId: org.id, name: "G", actor: owner });
    const merchant = await createMerchant(db, {
      orgId: org.id,
      name: "M",
      storeIds: stores.map((s) => s.id),
      actor: owner,
    });
    await addMerchantToGroup(db, group, merchant, owner);

    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
    });
    const down = await migrator.migrateTo("0015_audit_history");
    assert.equal(down.error, undefined);
    // As 0015's code stored them: digits with the leading + kept.
    const rows: [string, string, string | null, string | null][] = [
      ["1", "Marie Lefèvre", "0612345678", null],
      ["2", "Sydney Local", "0298765432", stores[2].id],
      ["3", "Abroad", "+442079460001", null],
      ["4", "Unplaceable", "12345", null],
      ["5", "No Phone", null, null],
    ];
    for (let page = 0; page < 3; page++) {
      for (const [number, name, phone, home] of rows) {
        await sql`insert into customers (org_id, group_id, number, name, phone, home_store_id,
          categories) values (${org.id}, ${group.id}, ${number + page}, ${name}, ${phone},
          ${home}, array['GOLD'])`.execute(db);
      }
    }
    await migrateToLatest(db);

    const phones = await db.selectFrom("customers").select(["number", "phone"])
      .orderBy("number").execute();
    assert.deepEqual(
      phones.filter((p) => p.number.endsWith("0")).map((p) => p.phone),
      ["+33612345678", "+61298765432", "+442079460001", "12345", null],
    );
    assert.equal(new Set(phones.map((p) => p.phone)).size, 5, "every page alike");
    const found = await searchCustomers(db, group, { q: "lefevre", limit: 10 });
    assert.deepEqual(found.map((c) => c.number).sort(), ["10", "11", "12"]);

    assert.equal((await migrator.migrateTo("0015_audit_history")).error, undefined);
    await migrateToLatest(db);
    const again = await db.selectFrom("customers").select(["number", "phone"])
      .orderBy("number").execute();
    assert.deepEqual(again, phones, "down and up again change nothing");
  } finally {
    await database.close();
  }
});
