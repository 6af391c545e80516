/** A sale's row by id: what `authorized` loads (auth/ imports only this file of sales/). */
import type { Selectable } from "kysely";
import type { Db } from "../db/connection.ts";
import { isUuid } from "../db/errors.ts";
import type { SaleTable } from "../db/schema.ts";

export type Sale = Selectable<SaleTable>;

export async function getSale(db: Db, id: string): Promise<Sale | undefined> {
  if (!isUuid(id)) return undefined;
  return await db.selectFrom("sales").selectAll().where("id", "=", id).executeTakeFirst();
}
