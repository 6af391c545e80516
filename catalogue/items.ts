import { type Selectable, sql } from "kysely";
import { z } from "zod";
import { recordAudit } from "../audit/log.ts";
import type { Db } from "../db/connection.ts";
import type { ItemTable } from "../db/schema.ts";
import type { StaffUser } from "../staff/users.ts";
import type { MerchantGroup } from "../programme/groups.ts";
import { inTransaction } from "../db/transaction.ts";
import { reusable } from "../db/compiled.ts";
import { money } from "../money/minor_units.ts";

export type Item = Selectable<ItemTable>;

export const MAX_ITEMS_PER_UPSERT = 5000;
/** Prices are stored in a Postgres integer[]: minor units up to 2^31 - 1. */
const MAX_PRICE = 2_147_483_647;

/** SKU and category are matched exactly by rule selectors, so only surrounding spaces go. */
const Price = money(
  z.number({ error: "must be a number" }).int("a whole number of minor units")
    .min(0, "must be 0 or more").max(MAX_PRICE, `at most ${MAX_PRICE}`),
  "a sell price",
);
export const ItemSchema = z.object({
  sku: z.string().trim().min(1, "must not be empty").max(64, "at most 64 characters"),
  name: z.string().trim().min(1, "must not be empty").max(200, "at most 200 characters"),
  category: z.string().trim().min(1, "must not be empty").max(64, "at most 64 characters"),
  prices: z.array(Price).length(5, "exactly 5 price levels")
    .describe("sell price levels 1–5 in minor units"),
}).strict();

export const ItemsUpsertSchema = z.object({
  items: z.array(ItemSchema).min(1, "send at least one item")
    .max(MAX_ITEMS_PER_UPSERT, `at most ${MAX_ITEMS_PER_UPSERT} items per call`),
}).strict().superRefine(({ items }, ctx) => {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const seen = first.get(item.sku);
    if (seen === undefined) first.set(item.sku, i);
    else {
      ctx.addIssue({
        code: "custom",
        path: ["items", i, "sku"],
        message: `the same SKU as items.${seen}.sku`,
      });
    }
  });
});

export type ItemInput = z.output<typeof ItemSchema>;

/**
 * Inserts new SKUs and updates known ones in one statement. Columns travel as arrays
 * (unnest), so the statement has the same eight parameters for one item or five thousand.
 * Unchanged items are left alone (their updated_at keeps meaning something).
 */
export async function upsertItems(
  db: Db,
  group: MerchantGroup,
  items: ItemInput[],
  actor: Pick<StaffUser, "id" | "email">,
): Promise<{ created: number; updated: number; unchanged: number }> {
  const column = <K extends keyof ItemInput>(k: K) => items.map((i) => i[k]);
  const level = (n: number) => items.map((i) => i.prices[n]);
  return await inTransaction(db, async (tx) => {
    const { rows } = await sql<{ created: boolean }>`
      insert into items (org_id, group_id, sku, name, category, prices)
      select ${group.org_id}, ${group.id}, t.sku, t.name, t.category,
        array[t.p1, t.p2, t.p3, t.p4, t.p5]
      from unnest(${column("sku")}::text[], ${column("name")}::text[],
        ${column("category")}::text[], ${level(0)}::int[], ${level(1)}::int[],
        ${level(2)}::int[], ${level(3)}::int[], ${level(4)}::int[])
        as t(sku, name, category, p1, p2, p3, p4, p5)
      on conflict (group_id, sku) do update
        set name = excluded.name, category = excluded.category, prices = excluded.prices,
          updated_at = now()
        where (items.name, items.category, items.prices)
          is distinct from (excluded.name, excluded.category, excluded.prices)
      returning (xmax = 0) as created`.execute(tx);
    const created = rows.filter((r) => r.created).length;
    const counts = {
      created,
      updated: rows.length - created,
      unchanged: items.length - rows.length,
    };
    await recordAudit(tx, {
      orgId: group.org_id,
      entity: "items",
      entityId: group.id,
      label: group.name,
      action: "upsert",
      actor,
      before: null,
      after: { ...counts, skus: items.length },
    });
    return counts;
  });
}

export interface ItemSearch {
  /** Start of the SKU, or part of the name (case-insensitive). */
  q?: string;
  category?: string;
  limit: number;
  /** SKU of the last item of the previous page. */
  afterSku?: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => "\\" + ch);

/** The group's items by SKU, a page at a time. */
export async function listItems(db: Db, group: MerchantGroup, search: ItemSearch) {
  let q = db.selectFrom("items").selectAll()
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .orderBy("sku").limit(search.limit);
  const text = search.q?.trim();
  if (text) {
    q = q.where((eb) =>
      eb.or([
        eb("sku", "like", escapeLike(text) + "%"),
        eb("name", "ilike", "%" + escapeLike(text) + "%"),
      ])
    );
  }
  if (search.category) q = q.where("category", "=", search.category);
  if (search.afterSku !== undefined) q = q.where("sku", ">", search.afterSku);
  return await q.execute();
}

/** The categories used by the group's items, for the console's filter. */
export async function itemCategories(db: Db, group: MerchantGroup): Promise<string[]> {
  const rows = await db.selectFrom("items").select("category").distinct()
    .where("group_id", "=", group.id).where("org_id", "=", group.org_id)
    .orderBy("category").limit(500).execute();
  return rows.map((r) => r.category);
}

/** Category by SKU for some SKUs of a group: a hot POS query (the quote, the sale). */
const CATEGORIES_OF = reusable((db, groupId: string, orgId: string, skus: string[]) =>
  db.selectFrom("items").select(["sku", "category"])
    .where("group_id", "=", groupId).where("org_id", "=", orgId)
    // One array parameter: the same statement for any number of SKUs.
    .where("sku", "=", sql<string>`any(${skus}::text[])`)
);

/** The category of each of these SKUs the group's catalogue knows, in one statement. */
export async function categoriesOf(
  db: Db,
  group: Pick<MerchantGroup, "id" | "org_id">,
  skus: readonly string[],
): Promise<Map<string, string>> {
  const rows = await CATEGORIES_OF(db, group.id, group.org_id, [...skus]);
  return new Map(rows.map((r) => [r.sku, r.category]));
}
