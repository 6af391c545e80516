import type { Db } from "../db/connection.ts";
import { createGroup, getGroup } from "../programme/groups.ts";
import { createCustomer } from "../members/customers.ts";
import { runGeneration, startGeneration } from "../instruments/generation.ts";
import { upsertItems } from "../catalogue/items.ts";
import { addMerchantToGroup, createMerchant } from "../programme/merchants.ts";
import { createSeries } from "../instruments/series.ts";
import { staffMove } from "../instruments/activities.ts";
import { getSettings, saveSettings } from "../programme/settings.ts";
import { createOrganization } from "../registry/organizations.ts";
import { createPos } from "../registry/pos.ts";
import { createSite } from "../registry/sites.ts";
import { createStore } from "../registry/stores.ts";
import { acceptInviteWithPassword, inviteMember } from "../staff/memberships.ts";
import { randomToken } from "../crypto/random.ts";
import { countStaff, createOwner, findStaffById, type StaffUser } from "../staff/users.ts";
import { issueDeviceToken } from "../tokens/device_tokens.ts";
import { getDraft, publishDraft, saveDraft } from "../earning/rule_sets.ts";
import { DEMO_RULES } from "./rules.ts";
import { type DemoTill, loadTrading } from "./sales.ts";

export interface DemoOptions {
  customers: number;
  items: number;
  giftCards: number;
  /** Spring coupons generated. */
  coupons: number;
  /** Sales over the last 30 days (about one in twenty with a return). */
  sales: number;
  /** Load even though the database already holds data (a second organization). */
  force: boolean;
  issuer: string;
  tokenKeySecret?: string;
}

export interface DemoResult {
  email: string;
  password: string;
  posToken: string;
  organizationId: string;
  merchantGroupId: string;
  sales: number;
  returns: number;
}

const FIRST = ["Ada", "Ben", "Chloé", "Dara", "Emil", "Farah", "Gus", "Hana", "Ivo", "Jun"];
const LAST = ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefèvre"];
const CATEGORIES = ["SHOES", "SOCKS", "BAGS", "HATS", "COATS"];

/** Refuses a database that already has staff or organizations, unless forced. */
export async function databaseIsEmpty(db: Db): Promise<boolean> {
  const org = await db.selectFrom("organizations").select("id").limit(1).executeTakeFirst();
  return !org && (await countStaff(db)) === 0;
}

/**
 * A living programme: an organization with two sites, four stores with POS, a merchant group
 * with settings and ten published earning rules, series, customers with cards, items — all
 * through the services, so the demo data obeys every rule the console and the POS obey.
 */
export async function loadDemo(db: Db, opts: DemoOptions): Promise<DemoResult> {
  if (!opts.force && !(await databaseIsEmpty(db))) {
    throw new Error("the database already holds data: run with --force to add a demo anyway");
  }
  const password = randomToken(12);
  const fresh = (await countStaff(db)) === 0;
  const email = fresh ? "owner@demo.example" : `demo-${randomToken(4).toLowerCase()}@demo.example`;
  const owner = fresh
    ? (await createOwner(db, { email, name: "Demo Owner", password }))!
    : await db.selectFrom("staff_users").select(["id", "email"])
      .where("is_owner", "=", true).executeTakeFirstOrThrow();
  const name = `Demo Retail ${fresh ? "" : randomToken(3)}`.trim();
  const org = await createOrganization(db, name, owner);
  let actor: StaffUser;
  if (fresh) {
    actor = owner as StaffUser;
  } else {
    const { member, inviteToken } = await inviteMember(db, {
      orgId: org.id,
      email,
      name: "Demo Admin",
      role: "admin",
      invitedBy: owner,
    });
    await acceptInviteWithPassword(db, inviteToken, password);
    actor = (await findStaffById(db, member.id))!;
  }

  const storeIds: string[] = [];
  const posList = [];
  const tills: DemoTill[] = [];
  for (const [s, siteName] of ["Paris", "Lyon"].entries()) {
    const site = await createSite(db, org.id, siteName, actor);
    for (let n = 1; n <= 2; n++) {
      const store = await createStore(db, site, {
        number: s * 2 + n,
        name: `${siteName} ${n === 1 ? "Centre" : "Gare"}`,
        timezone: "Europe/Paris",
      }, actor);
      storeIds.push(store.id);
      for (let p = 1; p <= 2; p++) {
        const pos = await createPos(db, store, { number: p, name: `Till ${p}` }, actor);
        posList.push(pos);
        tills.push({
          storeId: store.id,
          storeNumber: store.number,
          storeName: store.name,
          timezone: store.timezone,
          posId: pos.id,
          posNumber: pos.number,
        });
      }
    }
  }

  const group = await createGroup(db, { orgId: org.id, name: "Demo Rewards", actor });
  const merchant = await createMerchant(db, {
    orgId: org.id,
    name: "Demo Retail",
    storeIds,
    actor,
  });
  await addMerchantToGroup(db, group, merchant, actor);
  const current = await getSettings(db, group);
  await saveSettings(db, group, {
    version: current.version,
    settings: {
      ...current.settings,
      categoryNames: ["Customer type", "Newsletter", "Region", "Category 4", "Category 5"],
      nonLoyaltyCategoryCodes: ["CASH"],
      staffLoyaltyCategoryCodes: ["STAFF"],
      roundingRule: "nearest",
    },
  }, actor);
  const { settings } = await getSettings(db, group);
  const draft = await saveDraft(db, group, {
    version: (await getDraft(db, group)).version,
    rules: DEMO_RULES,
  }, actor);
  await publishDraft(db, group, { draftVersion: draft.version }, actor);

  const giftCards = await createSeries(db, group, {
    name: "Gift cards",
    type: "gift-card",
    prefix: "6001",
    currency: "EUR",
    initialValue: 2500,
    expiryDays: 730,
    maxUses: null,
  }, actor);
  // A coupon prefix takes no I, L or O (instruments/numbers.ts): SPRNG, not SPRING.
  const coupons = await createSeries(db, group, {
    name: "Spring coupons",
    type: "coupon",
    prefix: "SPRNG",
    currency: "EUR",
    initialValue: 0,
    expiryDays: 90,
    maxUses: 1,
    benefit: { kind: "amountOff", amount: 500 },
  }, actor);
  if (opts.giftCards > 0) {
    const gen = await startGeneration(db, giftCards, {
      count: opts.giftCards,
      key: "demo",
      actor,
    });
    await runGeneration(db, gen.id);
    // A few cards sold, so the instruments page and the series' liability show money:
    // activated with the series' initial value, every third one since reported lost.
    const sold = await db.selectFrom("instruments").select("id").where(
      "series_id",
      "=",
      giftCards.id,
    )
      .orderBy("number").limit(Math.min(20, opts.giftCards)).execute();
    for (const [i, card] of sold.entries()) {
      await staffMove(db, card.id, { move: "activate", reason: "sold at the counter" }, actor);
      if (i % 3 === 0) {
        await staffMove(db, card.id, { move: "block", reason: "reported lost" }, actor);
      }
    }
  }

  if (opts.coupons > 0) {
    const gen = await startGeneration(db, coupons, { count: opts.coupons, key: "demo", actor });
    await runGeneration(db, gen.id);
  }

  const items = Array.from({ length: opts.items }, (_, i) => {
    const base = 500 + (i * 137) % 20_000;
    return {
      sku: `SKU${String(i + 1).padStart(5, "0")}`,
      name: `${CATEGORIES[i % CATEGORIES.length].toLowerCase()} #${i + 1}`,
      category: CATEGORIES[i % CATEGORIES.length],
      prices: [
        base,
        Math.round(base * 0.95),
        Math.round(base * 0.9),
        base * 0.85 | 0,
        base * 0.8 | 0,
      ],
    };
  });
  if (items.length) await upsertItems(db, group, items, actor);

  // Batches of customers per transaction: one commit per batch keeps 10,000 quick.
  const loaded = (await getGroup(db, group.id))!;
  for (let start = 0; start < opts.customers; start += 500) {
    await db.transaction().execute(async (tx) => {
      for (let i = start; i < Math.min(start + 500, opts.customers); i++) {
        const first = FIRST[i % FIRST.length];
        const last = LAST[(i * 7) % LAST.length];
        await createCustomer(tx, loaded, {
          name: `${first} ${last}`,
          email: `${first}.${last}.${i}@demo.example`.toLowerCase(),
          phone: `+3361${String(i).padStart(7, "0")}`,
          homeStoreNumber: 1 + (i % 4),
          categories: [
            i % 20 === 0 ? "CASH" : i % 50 === 1 ? "STAFF" : i % 3 ? "MEMBER" : "GOLD",
            i % 4 ? "YES" : "NO",
            i % 4 < 2 ? "PARIS" : "LYON",
          ],
        }, settings);
      }
    });
  }

  const trading = await loadTrading(db, { group: loaded, settings, tills, sales: opts.sales });

  const issued = await issueDeviceToken(
    { db, issuer: opts.issuer, secret: opts.tokenKeySecret },
    { kind: "pos", pos: posList[0] },
    { ttlDays: 30, label: "demo", createdBy: actor },
  );
  return {
    email,
    password,
    posToken: issued.token,
    organizationId: org.id,
    merchantGroupId: group.id,
    ...trading,
  };
}

if (import.meta.main) {
  const { loadConfig, startRefusal } = await import("../config.ts");
  const { connect } = await import("../db/connection.ts");
  const { migrateToLatest } = await import("../db/migrate.ts");
  const config = loadConfig();
  const refusal = startRefusal(config);
  if (refusal) {
    console.error(`cannot load the demo: ${refusal}`);
    Deno.exit(1);
  }
  const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
  try {
    await migrateToLatest(conn.db);
    const started = performance.now();
    const demo = await loadDemo(conn.db, {
      customers: 10_000,
      items: 500,
      giftCards: 1_000,
      coupons: 200,
      sales: 1_500,
      force: Deno.args.includes("--force"),
      issuer: config.publicUrl,
      tokenKeySecret: config.tokenKeySecret,
    });
    console.log(
      `Demo loaded in ${Math.round((performance.now() - started) / 1000)} s: ` +
        `${demo.sales} sales and ${demo.returns} returns over the last 30 days.`,
    );
    console.log(`Console: ${config.publicUrl}/login`);
    console.log(`  email:    ${demo.email}`);
    console.log(`  password: ${demo.password}`);
    console.log(`POS token (store 1, POS 1; valid 30 days):`);
    console.log(`  ${demo.posToken}`);
    console.log(`Try: curl -H "Authorization: Bearer <token>" ${config.publicUrl}/api/pos/v1/me`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    Deno.exitCode = 1;
  } finally {
    await conn.close();
  }
}
