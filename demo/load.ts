import { parseArgs } from "node:util";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import { post } from "../ledger/post.ts";
import { customerPoints, POINTS_ADJUSTED, programmePoints } from "../ledger/accounts.ts";
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
  /** The registry's shape; absent: the small demo (Paris and Lyon, 2 stores × 2 POS each). */
  chain?: ChainShape;
}

/**
 * A chain: `sites` × `storesPerSite` stores of `posPerStore` POS each. Its customers are written
 * set-based (one statement per table, behind the services, as an import would), numbered by
 * how often they shop (`chainMemberNumber`), and the `pointsHolders` most frequent ones are
 * given a points balance (through the ledger's own posting) to spend at the till.
 */
export interface ChainShape {
  sites: number;
  storesPerSite: number;
  posPerStore: number;
  pointsHolders: number;
  /** Hundredths of a point each holder is given. */
  pointsEach: number;
}

/** `deno task demo --preset chain`: 200 stores × 4 POS, 100,000 members. */
export const CHAIN_PRESET = {
  customers: 100_000,
  chain: {
    sites: 10,
    storesPerSite: 20,
    posPerStore: 4,
    pointsHolders: 2_000,
    pointsEach: 10_000_000,
  },
} satisfies Partial<DemoOptions>;

/** A chain member's customer and card number: rank 1 shops most often (bench/lib/chain.ts). */
export const chainMemberNumber = (rank: number) => `7${String(rank).padStart(15, "0")}`;

/** Every 20th chain member is a plain customer (category CASH): no points to earn or spend. */
export const chainMemberIsLoyal = (rank: number) => rank % 20 !== 0;

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
  const chain = opts.chain;
  const siteNames = chain
    ? Array.from({ length: chain.sites }, (_, i) => `Region ${i + 1}`)
    : ["Paris", "Lyon"];
  const perSite = chain?.storesPerSite ?? 2;
  for (const [s, siteName] of siteNames.entries()) {
    const site = await createSite(db, org.id, siteName, actor);
    for (let n = 1; n <= perSite; n++) {
      const number = s * perSite + n;
      const store = await createStore(db, site, {
        number,
        name: chain ? `Store ${number}` : `${siteName} ${n === 1 ? "Centre" : "Gare"}`,
        timezone: "Europe/Paris",
      }, actor);
      storeIds.push(store.id);
      for (let p = 1; p <= (chain?.posPerStore ?? 2); p++) {
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
  if (chain) {
    await loadChainMembers(
      db,
      { group: loaded, settings, storeIds, actor, ...chain },
      opts.customers,
    );
  }
  for (let start = 0; start < (chain ? 0 : opts.customers); start += 500) {
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

/**
 * The chain's members: the first through the service (it makes the card series), the rest in
 * one statement per table, as `createCustomer` would write them (customer, card numbered as
 * the customer, account of the default type); then points for the most frequent shoppers,
 * posted 200 members to a transaction against the programme's adjustments account.
 */
async function loadChainMembers(
  db: Db,
  c: ChainShape & {
    group: MerchantGroup;
    settings: LoyaltySettings;
    storeIds: string[];
    actor: StaffUser;
  },
  count: number,
): Promise<void> {
  if (count < 1) return;
  const { group } = c;
  const first = await createCustomer(db, group, {
    number: chainMemberNumber(1),
    name: "Ada Martin",
    homeStoreNumber: 1,
    categories: ["GOLD", "YES", "R1"],
  }, c.settings);
  const series = await db.selectFrom("instruments").select("series_id")
    .where("group_id", "=", group.id).where("number", "=", first.customer.number)
    .executeTakeFirstOrThrow();
  await sql`insert into customers (org_id, group_id, number, name, email, phone, home_store_id,
      categories)
    select ${group.org_id}::uuid, ${group.id}::uuid, '7' || lpad(g::text, 15, '0'),
      (${FIRST}::text[])[1 + g % ${FIRST.length}] || ' ' ||
        (${LAST}::text[])[1 + (g * 7) % ${LAST.length}],
      'member.' || g || '@chain.example', '+3362' || lpad(g::text, 7, '0'),
      (${c.storeIds}::uuid[])[1 + g % ${c.storeIds.length}],
      array[case when g % 20 = 0 then 'CASH' when g % 50 = 1 then 'STAFF'
        when g % 3 = 0 then 'GOLD' else 'MEMBER' end,
        case when g % 4 = 0 then 'NO' else 'YES' end, 'R' || (1 + g % 10)]
    from generate_series(2, ${count}::int) g`.execute(db);
  if (c.settings.generateAutomaticCustomerCard) {
    await sql`insert into instruments (org_id, group_id, series_id, number, status, customer_id)
      select org_id, group_id, ${series.series_id}::uuid, number, 'active', id from customers
      where group_id = ${group.id}::uuid and number <> ${first.customer.number}`.execute(db);
  }
  await sql`insert into accounts (org_id, customer_id, type)
    select org_id, id, ${c.settings.defaultAccountType} from customers
    where group_id = ${group.id}::uuid and number <> ${first.customer.number}`.execute(db);
  const holders = Math.min(c.pointsHolders, count);
  for (let start = 1; start <= holders; start += 200) {
    const numbers = Array.from({ length: Math.min(200, holders - start + 1) }, (_, i) => start + i)
      .filter(chainMemberIsLoyal).map(chainMemberNumber);
    const members = await db.selectFrom("customers").select("id")
      .where("group_id", "=", group.id).where("number", "in", numbers).execute();
    await post(db, {
      orgId: group.org_id,
      groupId: group.id,
      reference: "ONBO",
      at: new Date(),
      actor: { staffId: c.actor.id, label: c.actor.email },
      reason: "welcome points (demo)",
      legs: [
        ...members.map((m) => ({
          account: customerPoints(group.org_id, group.id, m.id),
          amount: c.pointsEach,
        })),
        {
          account: programmePoints(group.org_id, group.id, POINTS_ADJUSTED),
          amount: -c.pointsEach * members.length,
        },
      ],
    });
  }
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
  const { values } = parseArgs({
    args: Deno.args,
    options: { preset: { type: "string", default: "small" }, force: { type: "boolean" } },
  });
  if (values.preset !== "small" && values.preset !== "chain") {
    console.error(`--preset: small or chain, not ${values.preset}`);
    Deno.exit(2);
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
      force: values.force ?? false,
      issuer: config.publicUrl,
      tokenKeySecret: config.tokenKeySecret,
      ...(values.preset === "chain" ? CHAIN_PRESET : {}),
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
