import type { Db } from "../../db/connection.ts";
import { inTransaction } from "../../db/transaction.ts";
import { customerPoints, POINTS_ISSUED, programmePoints } from "../../ledger/accounts.ts";
import { post } from "../../ledger/post.ts";

export interface RecordedSale {
  orgId: string;
  groupId: string;
  storeId: string;
  posId: string;
  customerId: string;
  receiptNumber: string;
  kind?: "sale" | "return";
  at?: Date;
  /** Minor units. */
  total: number;
  /** What each rule earned (hundredths; negative on a return), with its reference. */
  awards: { ruleId: string; points: number; reference?: string }[];
  currency?: string;
}

/**
 * A sale (or return) as the sale endpoint will record it, until that endpoint exists: the
 * `sales` row and its ledger transaction (reference SALE or RETURN, sale_id set; each award
 * an entry of the customer's points against the programme's POINTS_ISSUED), in one
 * transaction through the ledger's `post`, and the customer's statistics bumped.
 */
export async function recordSale(db: Db, s: RecordedSale): Promise<{ saleId: string }> {
  const kind = s.kind ?? "sale";
  const at = s.at ?? new Date();
  const points = s.awards.reduce((sum, a) => sum + a.points, 0);
  return await inTransaction(db, async (tx) => {
    const { id } = await tx.insertInto("sales").values({
      org_id: s.orgId,
      group_id: s.groupId,
      store_id: s.storeId,
      pos_id: s.posId,
      kind,
      receipt_number: s.receiptNumber,
      at,
      trading_day: at.toISOString().slice(0, 10),
      customer_id: s.customerId,
      member: true,
      currency: s.currency ?? "EUR",
      total: s.total,
      points,
    }).returning("id").executeTakeFirstOrThrow();
    await post(tx, {
      orgId: s.orgId,
      groupId: s.groupId,
      reference: kind === "sale" ? "SALE" : "RETURN",
      at,
      actor: { posId: s.posId, label: "Till" },
      saleId: id,
      legs: s.awards.flatMap((a) => [
        {
          account: customerPoints(s.orgId, s.groupId, s.customerId),
          amount: a.points,
          reference: a.reference ?? "SALE",
          ruleId: a.ruleId,
        },
        {
          account: programmePoints(s.orgId, s.groupId, POINTS_ISSUED),
          amount: -a.points,
          reference: a.reference ?? "SALE",
          ruleId: a.ruleId,
        },
      ]),
    });
    const sign = kind === "sale" ? 1 : -1;
    await tx.insertInto("customer_statistics").values({
      customer_id: s.customerId,
      org_id: s.orgId,
      visits: 1,
      sales_count: kind === "sale" ? 1 : 0,
      spend: sign * s.total,
      first_visit: at,
      last_visit: at,
    }).onConflict((oc) =>
      oc.column("customer_id").doUpdateSet((eb) => ({
        visits: eb("customer_statistics.visits", "+", 1),
        sales_count: eb("customer_statistics.sales_count", "+", kind === "sale" ? 1 : 0),
        spend: eb("customer_statistics.spend", "+", sign * s.total),
        last_visit: at,
      }))
    ).execute();
    return { saleId: id };
  });
}
