import { type Kysely, sql } from "kysely";

// Money at the till (issue 22).
//
// A sale keeps its tenders as it accounted for its total (`sales.tenders`: type, minor units
// covered, card number or points spent; cash net of the change): a return against its receipt
// pays back to them by default. A return keeps its refund tenders the same way, each worked-out
// refund with the index of the sale's tender it went back to, so the next return of the sale
// knows what each tender has left. Sales recorded before keep `[]`: a return against one names
// its tenders.
//
// A coupon series says whether a full return of a sale gives back the uses the sale took
// (`full_return_restores_uses`); a redemption given back names the return that restored it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales add column tenders jsonb not null default '[]'`.execute(db);
  await sql`alter table series
    add column full_return_restores_uses boolean not null default false`.execute(db);
  await sql`alter table coupon_redemptions
    add column restored_by uuid references sales (id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table coupon_redemptions drop column restored_by`.execute(db);
  await sql`alter table series drop column full_return_restores_uses`.execute(db);
  await sql`alter table sales drop column tenders`.execute(db);
}
