import assert from "node:assert/strict";
import { databaseIsEmpty, loadDemo } from "../../demo/load.ts";
import { createTestApp } from "../helpers/app.ts";

Deno.test("the demo loads a living programme, and refuses a database with data unless forced", async () => {
  const t = await createTestApp();
  try {
    const opts = {
      customers: 120,
      items: 30,
      giftCards: 50,
      force: false,
      issuer: t.config.publicUrl,
    };
    assert.equal(await databaseIsEmpty(t.db), true);
    const demo = await loadDemo(t.db, opts);
    const count = async (
      table: "customers" | "items" | "pos" | "stores" | "sites" | "instruments",
    ) => (await t.db.selectFrom(table).select("id").execute()).length;
    assert.equal(await count("sites"), 2);
    assert.equal(await count("stores"), 4);
    assert.equal(await count("pos"), 8);
    assert.equal(await count("customers"), 120);
    assert.equal(await count("items"), 30);
    assert.equal(await count("instruments"), 120 + 50, "a card per customer, plus gift cards");

    const signIn = await t.request("/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: demo.email, password: demo.password }),
    });
    assert.equal(signIn.status, 200, "the printed login works");
    await signIn.body?.cancel();
    const customer = await t.db.selectFrom("customers").select("number").limit(1)
      .executeTakeFirstOrThrow();
    const lookup = await t.request(`/api/pos/v1/customers/lookup?card=${customer.number}`, {
      headers: { Authorization: `Bearer ${demo.posToken}` },
    });
    assert.equal(lookup.status, 200, "the printed POS token reaches the programme");
    await lookup.body?.cancel();

    await assert.rejects(() => loadDemo(t.db, opts), /--force/);
    const again = await loadDemo(t.db, { ...opts, force: true, customers: 5 });
    assert.notEqual(again.organizationId, demo.organizationId);
  } finally {
    await t.close();
  }
});
