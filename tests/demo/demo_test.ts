import assert from "node:assert/strict";
import { seriesLiabilities } from "../../instruments/accounts.ts";
import { databaseIsEmpty, loadDemo } from "../../demo/load.ts";
import { createTestApp } from "../helpers/app.ts";

Deno.test("the demo loads a living programme, and refuses a database with data unless forced", async () => {
  const t = await createTestApp();
  try {
    const opts = {
      customers: 120,
      items: 30,
      giftCards: 50,
      coupons: 10,
      sales: 80,
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
    assert.equal(
      await count("instruments"),
      120 + 50 + 10,
      "a card per customer, plus gift cards and coupons",
    );
    const coupons = await t.db.selectFrom("instruments").innerJoin(
      "series",
      "series.id",
      "instruments.series_id",
    )
      .select("instruments.number").where("series.type", "=", "coupon").execute();
    assert.equal(coupons.length, 10, "the spring coupons generate");
    assert.ok(coupons.every((c) => c.number.startsWith("SPRNG")));

    // A month of trading, through the POS's services: its sales, returns and points are there.
    const rows = await t.db.selectFrom("sales").select(["kind", "at", "customer_id", "points"])
      .execute();
    const sales = rows.filter((r) => r.kind === "sale");
    assert.equal(sales.length, 80);
    assert.equal(demo.sales, 80);
    assert.ok(demo.returns > 0, "some sales were returned");
    assert.equal(rows.length - sales.length, demo.returns);
    const monthAgo = Date.now() - 30 * 86_400_000;
    assert.ok(sales.every((s) => new Date(s.at).getTime() >= monthAgo - 86_400_000));
    assert.ok(sales.every((s) => new Date(s.at).getTime() <= Date.now()));
    assert.ok(sales.some((s) => s.customer_id === null), "passers-by too");
    assert.ok(sales.some((s) => Number(s.points) > 0), "members earned points");
    const days = new Set(sales.map((s) => new Date(s.at).toISOString().slice(0, 10)));
    assert.ok(days.size > 15, `spread over the month (${days.size} days)`);
    const giftCards = await t.db.selectFrom("series").select("id").where("type", "=", "gift-card")
      .executeTakeFirstOrThrow();
    assert.deepEqual((await seriesLiabilities(t.db, [giftCards.id])).get(giftCards.id), {
      outstanding: 20 * 2500,
      liability: 20 * 2500,
    }, "20 cards sold at the initial value");

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
    const item = await t.db.selectFrom("items").select(["sku", "prices"]).limit(1)
      .executeTakeFirstOrThrow();
    const quote = await t.request("/api/pos/v1/quote", {
      method: "POST",
      headers: { Authorization: `Bearer ${demo.posToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        currency: "EUR",
        customer: { card: customer.number },
        lines: [{ sku: item.sku, quantity: 1, unitPrice: item.prices[0] }],
        tenders: [{ type: "CASH", amount: item.prices[0] }],
      }),
    });
    const quoted = await quote.json();
    assert.equal(quote.status, 200, JSON.stringify(quoted));
    assert.equal(quoted.rulesVersion, 1, "the ten demo rules are published");
    const rules = await t.db.selectFrom("rule_set_versions").select("rules")
      .executeTakeFirstOrThrow();
    assert.equal((rules.rules as unknown[]).length, 10);

    await assert.rejects(() => loadDemo(t.db, opts), /--force/);
    const again = await loadDemo(t.db, { ...opts, force: true, customers: 5 });
    assert.notEqual(again.organizationId, demo.organizationId);
  } finally {
    await t.close();
  }
});
