/**
 * One sale or return as the back office reads it: its store, POS and customer, its lines with
 * what each earned per rule (named as the rules version that priced the sale names them), its
 * tenders, and the returns made against it. Four statements, each by the sale's id.
 */
import type { Db } from "../db/connection.ts";
import { type RecordedTender, recordedTenders } from "./payment.ts";
import type { Sale } from "./sale_row.ts";

export interface SaleAward {
  ruleId: string;
  /** The rule's name in the version that priced the sale (its id when that has none). */
  ruleName: string;
  type: string;
  reference: string;
  /** Hundredths earned, and reversed by returns so far. */
  points: number;
  reversed: number;
}

export interface SaleLine {
  index: number;
  sku: string;
  quantity: number;
  returnedQuantity: number;
  /** Minor units. */
  unitPrice: number;
  net: number;
  /** Hundredths, over all rules. */
  points: number;
  awards: SaleAward[];
}

export interface SaleReturn {
  id: string;
  receiptNumber: string;
  at: Date;
  total: number;
  points: number;
}

export interface SaleDetail {
  sale: Sale;
  store: { number: number; name: string; timezone: string };
  pos: { number: number; name: string };
  customer: { id: string; number: string; name: string } | null;
  lines: SaleLine[];
  tenders: RecordedTender[];
  /** A sale's returns, oldest first; a return has none. */
  returns: SaleReturn[];
}

export async function saleDetail(db: Db, sale: Sale): Promise<SaleDetail> {
  const [place, lines, awards, returns] = await Promise.all([
    db.selectFrom("stores as st").innerJoin("pos as p", "p.store_id", "st.id")
      .leftJoin("customers as c", (j) => j.on("c.id", "=", sale.customer_id))
      .leftJoin(
        "rule_set_versions as v",
        (j) =>
          j.on("v.group_id", "=", sale.group_id).on("v.version", "=", sale.rules_version ?? -1),
      )
      .select([
        "st.number as store_number",
        "st.name as store_name",
        "st.timezone",
        "p.number as pos_number",
        "p.name as pos_name",
        "c.id as customer_id",
        "c.number as customer_number",
        "c.name as customer_name",
        "v.rules",
      ])
      .where("st.id", "=", sale.store_id).where("p.id", "=", sale.pos_id)
      .executeTakeFirstOrThrow(),
    db.selectFrom("sale_lines").selectAll().where("sale_id", "=", sale.id)
      .where("org_id", "=", sale.org_id).orderBy("index").execute(),
    db.selectFrom("sale_awards").selectAll().where("sale_id", "=", sale.id)
      .where("org_id", "=", sale.org_id).orderBy("line_index").orderBy("rule_id").execute(),
    db.selectFrom("sales").select(["id", "receipt_number", "at", "total", "points"])
      .where("original_sale_id", "=", sale.id).where("org_id", "=", sale.org_id)
      .orderBy("at").orderBy("id").execute(),
  ]);
  const names = new Map<string, string>();
  for (const r of (place.rules ?? []) as { id?: unknown; name?: unknown }[]) {
    if (typeof r.id === "string" && typeof r.name === "string") names.set(r.id, r.name);
  }
  return {
    sale,
    store: { number: place.store_number, name: place.store_name, timezone: place.timezone },
    pos: { number: place.pos_number, name: place.pos_name },
    customer: place.customer_id
      ? { id: place.customer_id, number: place.customer_number!, name: place.customer_name! }
      : null,
    lines: lines.map((l) => ({
      index: l.index,
      sku: l.sku,
      quantity: l.quantity,
      returnedQuantity: l.returned_quantity,
      unitPrice: l.unit_price,
      net: l.net,
      points: l.points,
      awards: awards.filter((a) => a.line_index === l.index).map((a) => ({
        ruleId: a.rule_id,
        ruleName: names.get(a.rule_id) ?? a.rule_id,
        type: a.type,
        reference: a.reference,
        points: a.points,
        reversed: a.reversed,
      })),
    })),
    tenders: recordedTenders(sale.tenders),
    returns: returns.map((r) => ({
      id: r.id,
      receiptNumber: r.receipt_number,
      at: r.at,
      total: r.total,
      points: r.points,
    })),
  };
}
