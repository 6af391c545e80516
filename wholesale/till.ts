/**
 * Where a wholesale order's sale is recorded (seed 004): the first till (lowest POS number,
 * active) of its pickup or delivery store; when that store has none, the programme's wholesale
 * default till — the store *Wholesale Location*, its POS *Wholesale Till#*, recorded with the
 * *Wholesale Till Code* and *Wholesale Operator#*. With neither, a 422 naming each setting
 * that is missing or names nothing.
 */
import type { Db } from "../db/connection.ts";
import { type FieldError, ProblemError } from "../errors/problem.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import type { LoyaltySettings } from "../programme/settings_schema.ts";
import type { SaleTill } from "../sales/sale.ts";

/** A store of the programme: linked to a merchant of the group. */
export interface ProgrammeStore {
  id: string;
  number: number;
  name: string;
  timezone: string;
}

/** The active stores of the programme, by number: where an order may be picked up. */
export async function programmeStores(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
): Promise<ProgrammeStore[]> {
  return await db.selectFrom("merchant_stores as ms")
    .innerJoin("merchants as m", "m.id", "ms.merchant_id")
    .innerJoin("stores as s", "s.id", "ms.store_id")
    .select(["s.id", "s.number", "s.name", "s.timezone"])
    .where("m.group_id", "=", group.id).where("ms.org_id", "=", group.org_id)
    .where("s.status", "=", "active")
    .orderBy("s.number").orderBy("s.id").execute();
}

/** The till an order is recorded at, and what its sale carries besides. */
export interface WholesaleTill {
  till: SaleTill;
  recordedAs: { tillCode: string | null; operatorNumber: number | null };
  /** `location`: the store's first till; `defaults`: the wholesale default till. */
  source: "location" | "defaults";
}

const firstTill = (db: Db, orgId: string, storeId: string, number?: number) => {
  let q = db.selectFrom("pos").select(["id", "number"])
    .where("org_id", "=", orgId).where("store_id", "=", storeId).where("status", "=", "active");
  if (number !== undefined) q = q.where("number", "=", number);
  return q.orderBy("number").limit(1).executeTakeFirst();
};

const notConfigured = (store: ProgrammeStore, errors: FieldError[]) =>
  new ProblemError(422, "wholesale-till-missing", "No till to record the order on", {
    detail: `store ${store.number} (${store.name}) has no till, and the wholesale default ` +
      `till of the settings is not usable: set ${errors.map((e) => e.field).join(", ")} ` +
      "in Settings › Wholesale, or add a POS to the store",
    errors,
  });

const DEFAULTS = ["location", "tillCode", "tillNumber", "operatorNumber"] as const;

/** The till of an order picked up or delivered at `store` (see the module comment). */
export async function wholesaleTill(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
  store: ProgrammeStore,
  settings: LoyaltySettings,
): Promise<WholesaleTill> {
  const w = settings.wholesale;
  const pos = await firstTill(db, group.org_id, store.id);
  if (pos) {
    return {
      till: {
        storeNumber: store.number,
        posNumber: pos.number,
        timezone: store.timezone,
        storeId: store.id,
        posId: pos.id,
      },
      recordedAs: { tillCode: null, operatorNumber: w.operatorNumber },
      source: "location",
    };
  }
  const missing = DEFAULTS.filter((k) => w[k] === null);
  if (missing.length) {
    throw notConfigured(
      store,
      missing.map((k) => ({ field: `wholesale.${k}`, message: "not set" })),
    );
  }
  const found = (await programmeStores(db, group)).filter((s) => s.number === w.location);
  if (found.length !== 1) {
    throw notConfigured(store, [{
      field: "wholesale.location",
      message: found.length
        ? `two stores of the programme have number ${w.location}`
        : `no active store ${w.location} in this programme`,
    }]);
  }
  const home = found[0];
  const till = await firstTill(db, group.org_id, home.id, w.tillNumber!);
  if (!till) {
    throw notConfigured(store, [{
      field: "wholesale.tillNumber",
      message: `store ${home.number} has no active POS ${w.tillNumber}`,
    }]);
  }
  return {
    till: {
      storeNumber: home.number,
      posNumber: till.number,
      timezone: home.timezone,
      storeId: home.id,
      posId: till.id,
    },
    recordedAs: { tillCode: w.tillCode, operatorNumber: w.operatorNumber },
    source: "defaults",
  };
}
