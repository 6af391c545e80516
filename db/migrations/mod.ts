import type { Migration } from "kysely/migration";
import * as m0001 from "./0001_staff.ts";
import * as m0002 from "./0002_registry.ts";
import * as m0003 from "./0003_programme.ts";
import * as m0004 from "./0004_hardening.ts";
import * as m0005 from "./0005_change_notifications.ts";
import * as m0006 from "./0006_rule_sets.ts";
import * as m0007 from "./0007_ledger.ts";
import * as m0008 from "./0008_customer_search.ts";
import * as m0009 from "./0009_instrument_value.ts";
import * as m0010 from "./0010_money_at_the_till.ts";
import * as m0012 from "./0012_report_indexes.ts";
import * as m0013 from "./0013_new_member_email.ts";
import * as m0014 from "./0014_wholesale_orders.ts";
import * as m0011 from "./0011_replay.ts";
import * as m0015 from "./0015_audit_history.ts";
import * as m0016 from "./0016_customer_search_folded.ts";
import * as m0017 from "./0017_no_hot_rows.ts";
import * as m0021 from "./0021_sales_pricing_json.ts";
import * as m0022 from "./0022_rows_written_with_their_parent.ts";
import * as m0023 from "./0023_replay_indexes.ts";

/** Listed statically, not read from disk, so the same set runs on Deno Deploy. */
export const migrations: Record<string, Migration> = {
  "0001_staff": m0001,
  "0002_registry": m0002,
  "0003_programme": m0003,
  "0004_hardening": m0004,
  "0005_change_notifications": m0005,
  "0006_rule_sets": m0006,
  "0007_ledger": m0007,
  "0008_customer_search": m0008,
  "0009_instrument_value": m0009,
  "0010_money_at_the_till": m0010,
  "0012_report_indexes": m0012,
  "0013_new_member_email": m0013,
  "0014_wholesale_orders": m0014,
  "0011_replay": m0011,
  "0015_audit_history": m0015,
  "0016_customer_search_folded": m0016,
  "0017_no_hot_rows": m0017,
  "0021_sales_pricing_json": m0021,
  "0022_rows_written_with_their_parent": m0022,
  "0023_replay_indexes": m0023,
};
