/**
 * What the fault tests' POS clients need, loaded into the database before the server starts
 * (PGlite is one process: loaded into its folder, closed, then opened by the server): the demo
 * programme (demo/load.ts, small), a device token per POS of the demo, gift cards loaded with
 * more than a run redeems (bench/lib/gift_cards.ts), member cards, an item, and a probe
 * customer whose member flag a settings change turns off (the programme cache's witness).
 */
import { sql } from "kysely";
import { prepareGiftCards } from "../../bench/lib/gift_cards.ts";
import { connect } from "../../db/connection.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { loadDemo } from "../../demo/load.ts";
import { createCustomer } from "../../members/customers.ts";
import { getGroup } from "../../programme/groups.ts";
import { getSettings } from "../../programme/settings.ts";
import { issueDeviceToken } from "../../tokens/device_tokens.ts";

export interface Fixture {
  /** One device token per POS of the demo. */
  tokens: string[];
  /** Loyalty cards of demo members (category MEMBER or GOLD: they earn points). */
  cards: string[];
  giftCards: string[];
  item: { sku: string; category: string; price: number };
  groupId: string;
  /** A member of category PROBE: a member until the settings make PROBE non-loyalty. */
  probeNumber: string;
}

export const PROBE_CATEGORY = "PROBE";

export async function loadFixture(
  target: { url?: string; dataDir?: string },
  opts: { issuer: string; tokenKeySecret?: string },
): Promise<Fixture> {
  const conn = await connect(target.url, { dataDir: target.dataDir });
  try {
    const db = conn.db;
    await migrateToLatest(db);
    const demo = await loadDemo(db, {
      customers: 200,
      items: 20,
      giftCards: 0,
      coupons: 0,
      sales: 0,
      force: false,
      issuer: opts.issuer,
      tokenKeySecret: opts.tokenKeySecret,
    });
    const group = (await getGroup(db, demo.merchantGroupId))!;
    const gift = await prepareGiftCards(db, group.id, { many: 64, one: 0, workers: 1 }, () => {});
    const owner = await db.selectFrom("staff_users").select(["id", "email"]).where(
      "is_owner",
      "=",
      true,
    )
      .executeTakeFirstOrThrow();
    const tokens: string[] = [];
    const tills = await db.selectFrom("pos").selectAll().where("org_id", "=", group.org_id)
      .orderBy("store_id").orderBy("number").execute();
    for (const pos of tills) {
      tokens.push(
        (await issueDeviceToken(
          { db, issuer: opts.issuer, secret: opts.tokenKeySecret },
          { kind: "pos", pos },
          { ttlDays: 1, label: "fault tests", createdBy: owner },
        )).token,
      );
    }
    const { settings } = await getSettings(db, group);
    const probe = await createCustomer(db, group, {
      name: "Cache Probe",
      categories: [PROBE_CATEGORY],
    }, settings);
    const cards = await db.selectFrom("instruments as i")
      .innerJoin("series as s", "s.id", "i.series_id")
      .innerJoin("customers as c", "c.id", "i.customer_id")
      .select("i.number")
      .where("i.group_id", "=", group.id).where("s.type", "=", "loyalty-card")
      .where(sql<boolean>`c.categories[1] in ('MEMBER', 'GOLD')`)
      .orderBy("i.number").limit(100).execute();
    const item = await db.selectFrom("items").select(["sku", "category", "prices"])
      .where("group_id", "=", group.id).orderBy("sku").limit(1).executeTakeFirstOrThrow();
    return {
      tokens,
      cards: cards.map((c) => c.number),
      giftCards: gift.many,
      item: { sku: item.sku, category: item.category, price: item.prices[0] },
      groupId: group.id,
      probeNumber: probe.customer.number,
    };
  } finally {
    await conn.close();
  }
}
