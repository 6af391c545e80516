/**
 * What the database holds after a fault, against what the POS clients were told: every sale,
 * return and redemption a client got a 2xx for is there exactly once, as answered; nothing is
 * half-written; the ledger is sound and no gift card is overdrawn.
 */
import { sql } from "kysely";
import { checkGiftCards } from "../../bench/lib/gift_cards.ts";
import type { Db } from "../../db/connection.ts";
import { checkLedger, isSound } from "../../ledger/check.ts";
import type { Outcome } from "./pos_clients.ts";

export interface Audit {
  /** Sales and returns a client got a 2xx for (a sync batch's each count). */
  acknowledged: number;
  /** Of those, found in the database (once or more). */
  found: number;
  /** Rows beyond the first of one receipt, or of one Idempotency-Key. */
  duplicates: number;
  /**
   * Sales or returns of the run missing a part: a sale without its lines, a row that earned or
   * spent points without its ledger transaction, a row without its stored answer, an answer
   * naming another row; a redemption without its ledger transaction.
   */
  halfWritten: number;
  redemptionsAcknowledged: number;
  redemptionsFound: number;
  /** The ledger check (ledger/check.ts) and the gift card checks pass. */
  ledgerSound: boolean;
  /** What was wrong, for the failure message (at most 20). */
  findings: string[];
}

interface Row {
  id: string;
  receipt_number: string;
  kind: "sale" | "return";
  points: number;
  points_redeemed: number;
  lines: number;
  transactions: number;
}

/** The ids a stored or received answer names: a sale's or return's id. */
function answerId(text: string): string | undefined {
  const parsed = JSON.parse(text);
  return typeof parsed?.id === "string" ? parsed.id : undefined;
}

/** The stored answer's text: kept as a JSON string (the exact bytes) in a jsonb column. */
const storedText = (body: unknown) => typeof body === "string" ? body : JSON.stringify(body);

export async function audit(db: Db, tag: string, outcomes: Outcome[]): Promise<Audit> {
  const findings: string[] = [];
  const find = (s: string) => findings.length < 20 && findings.push(s);
  const like = `${tag}-%`;
  const rows = (await sql<Row>`
    select s.id, s.receipt_number, s.kind, s.points::float8 as points,
      s.points_redeemed::float8 as points_redeemed,
      (select count(*) from sale_lines l where l.sale_id = s.id)::int as lines,
      (select count(*) from ledger_transactions t where t.sale_id = s.id)::int as transactions
    from sales s where s.receipt_number like ${like}`.execute(db)).rows;
  const keys = await db.selectFrom("idempotency_keys").select(["key", "status", "body"])
    .where("key", "like", `k-${like}`).execute();
  const activities = await db.selectFrom("instrument_activities")
    .select(["id", "receipt_number", "ledger_transaction_id"])
    .where("kind", "=", "redeem").where("receipt_number", "like", like).execute();

  const byReceipt = Map.groupBy(rows, (r) => r.receipt_number);
  const keyByName = new Map(keys.map((k) => [k.key, k]));
  const storedIds = new Set(keys.map((k) => answerId(storedText(k.body))).filter(Boolean));
  let duplicates = 0;
  let halfWritten = 0;
  for (const [receipt, same] of byReceipt) {
    if (same.length > 1) {
      duplicates += same.length - 1;
      find(`receipt ${receipt}: ${same.length} rows`);
    }
    for (const r of same) {
      const missing = [
        r.kind === "sale" && r.lines === 0 ? "its lines" : "",
        (r.points !== 0 || r.points_redeemed !== 0) && r.transactions !== 1
          ? `its ledger transaction (${r.transactions})`
          : "",
        storedIds.has(r.id) ? "" : "its stored answer",
      ].filter(Boolean);
      if (missing.length) {
        halfWritten++;
        find(`${r.kind} ${receipt} without ${missing.join(", ")}`);
      }
    }
  }

  // What the clients were told, receipt by receipt.
  let acknowledged = 0;
  let found = 0;
  let redemptionsAcknowledged = 0;
  let redemptionsFound = 0;
  const check = (receipt: string, key: string, text: string) => {
    acknowledged++;
    const same = byReceipt.get(receipt) ?? [];
    if (same.length) found++;
    else find(`acknowledged ${receipt} is not in the database`);
    const id = answerId(text);
    if (same.length && !same.some((r) => r.id === id)) {
      halfWritten++;
      find(`the answer to ${receipt} names ${id}, not the row recorded`);
    }
    const stored = keyByName.get(key);
    if (!stored || answerId(storedText(stored.body)) !== id) {
      halfWritten++;
      find(`${receipt}: the stored answer of ${key} is not the one the client got`);
    }
  };
  for (const o of outcomes) {
    if (!o.first) continue;
    const { op } = o;
    if (op.kind === "sync") {
      const { results } = JSON.parse(o.first.text) as {
        results: { idempotencyKey: string; status: number; body: unknown }[];
      };
      results.forEach((r, i) => {
        if (r.status < 300) check(op.receipts[i], r.idempotencyKey, JSON.stringify(r.body));
        else find(`sync ${op.receipts[i]} answered ${r.status}`);
      });
    } else if (op.kind === "redeem") {
      redemptionsAcknowledged++;
      const same = activities.filter((a) => a.receipt_number === op.receipts[0]);
      if (same.length) redemptionsFound++;
      else find(`acknowledged redemption ${op.receipts[0]} is not in the database`);
      if (same.length > 1) duplicates += same.length - 1;
      if (same.some((a) => a.ledger_transaction_id === null)) halfWritten++;
    } else check(op.receipts[0], op.key, o.first.text);
  }

  const ledger = await checkLedger(db);
  const cards = await checkGiftCards(db, undefined, []);
  if (!isSound(ledger)) find(`ledger check: ${JSON.stringify(ledger).slice(0, 300)}`);
  if (!cards.ok || cards.overdraws) find(`gift cards: ${cards.overdraws} overdrawn`);
  return {
    acknowledged,
    found,
    duplicates,
    halfWritten,
    redemptionsAcknowledged,
    redemptionsFound,
    ledgerSound: isSound(ledger) && cards.ok && cards.overdraws === 0,
    findings,
  };
}
