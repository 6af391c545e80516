import type { ColumnType, Generated } from "kysely";

/** Timestamps come back as Date from both pg and PGlite; we write Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export type Status = "active" | "disabled";
export type OrgRole = "admin" | "marketing" | "support";

export interface StaffUserTable {
  id: Generated<string>;
  email: string;
  name: string;
  /** The installation owner (created at setup) may do everything in every organization. */
  is_owner: Generated<boolean>;
  /** Null until an invited user sets a password. */
  password_hash: string | null;
  created_at: DefaultTimestamp;
}

export interface StaffSessionTable {
  /** SHA-256 of the cookie value: a leaked table does not yield live sessions. */
  id_hash: string;
  staff_id: string;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface LoginFailureTable {
  id: Generated<string>;
  /** `email:<address>` or `ip:<address>`. */
  key: string;
  at: DefaultTimestamp;
}

export interface SigningKeyTable {
  kid: string;
  public_jwk: string;
  /** JWK JSON, or AES-GCM ciphertext (`enc:` prefix) when TOKEN_KEY_SECRET is set. */
  private_jwk: string;
  created_at: DefaultTimestamp;
  /** Set when a newer key took over signing. */
  retired_at: NullableTimestamp;
  /** A retired key verifies until then (the last expiry of what it signed), then is gone. */
  verify_until: NullableTimestamp;
}

export interface OrganizationTable {
  id: Generated<string>;
  name: string;
  status: ColumnType<Status, Status | undefined, Status>;
  created_at: DefaultTimestamp;
}

export interface SiteTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  status: ColumnType<Status, Status | undefined, Status>;
  created_at: DefaultTimestamp;
}

export interface StoreTable {
  id: Generated<string>;
  org_id: string;
  site_id: string;
  number: number;
  name: string;
  /** IANA zone: the store's trading day. */
  timezone: string;
  address: string | null;
  status: ColumnType<Status, Status | undefined, Status>;
  created_at: DefaultTimestamp;
}

export interface PosTable {
  id: Generated<string>;
  org_id: string;
  site_id: string;
  store_id: string;
  number: number;
  name: string;
  status: ColumnType<Status, Status | undefined, Status>;
  created_at: DefaultTimestamp;
}

export type MembershipStatus = "pending" | "active";

export interface StaffMembershipTable {
  staff_id: string;
  org_id: string;
  role: OrgRole;
  /** Pending until the invited person accepts; only active memberships grant anything. */
  status: ColumnType<MembershipStatus, MembershipStatus | undefined, MembershipStatus>;
  /** The name the inviter typed, shown while the membership is pending. */
  invited_name: string | null;
  created_at: DefaultTimestamp;
}

export interface StaffInviteTable {
  token_hash: string;
  staff_id: string;
  org_id: string;
  created_by: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export type TokenKind = "pos" | "site" | "merchant";

export interface AccessTokenTable {
  jti: string;
  org_id: string;
  kind: TokenKind;
  /** The POS, site or merchant id the token acts as. */
  principal_id: string;
  label: string | null;
  /** The key that signed it: rotation keeps that key until the token expires. */
  kid: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface MerchantGroupTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  created_at: DefaultTimestamp;
}

export interface MerchantTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  /** Null until the merchant joins a group; its POS calls are refused until then. */
  group_id: string | null;
  created_at: DefaultTimestamp;
}

export interface MerchantStoreTable {
  org_id: string;
  merchant_id: string;
  store_id: string;
}

/** JSON values as stored in jsonb columns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface LoyaltySettingsTable {
  group_id: string;
  org_id: string;
  version: number;
  settings: ColumnType<Json, string, string>;
  updated_at: DefaultTimestamp;
  updated_by: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  /** Null for installation-wide changes (signing keys, sign-in limits): the owner's to read. */
  org_id: string | null;
  /** e.g. `loyalty-settings`, `merchant`, `series`. */
  entity: string;
  entity_id: string;
  /** What people called the entity when the entry was written (a store's name). */
  entity_label: string | null;
  action: string;
  actor_id: string | null;
  /** The actor's email (or `pos:<id>`) at the time, kept when the user is gone. */
  actor_label: string;
  at: DefaultTimestamp;
  before: ColumnType<Json, string | null, string | null>;
  after: ColumnType<Json, string | null, string | null>;
  diff: ColumnType<Json, string, string>;
}

export type InstrumentType = "gift-card" | "loyalty-card" | "store-credit" | "coupon";
export type InstrumentStatus = "inactive" | "active" | "blocked" | "expired" | "void";

export interface SeriesTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  name: string;
  type: InstrumentType;
  prefix: string;
  currency: string;
  /** Minor units of `currency` loaded on activation. */
  initial_value: ColumnType<number, number | undefined, number>;
  expiry_days: number | null;
  /** Coupons: how many times one code may be redeemed (null = unlimited). */
  max_uses: number | null;
  /** Coupons: what a coupon gives (instruments/coupons.ts `CouponBenefit`); null otherwise. */
  coupon_benefit: ColumnType<Json, string | null | undefined, string | null>;
  /** Coupons: not redeemable before this time (null: from creation). */
  starts_at: NullableTimestamp;
  /** Coupons: a full return of a sale gives back the use the sale took. */
  full_return_restores_uses: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: DefaultTimestamp;
}

export interface InstrumentGenerationTable {
  id: Generated<string>;
  org_id: string;
  series_id: string;
  idempotency_key: string;
  count: number;
  created: ColumnType<number, number | undefined, number>;
  status: ColumnType<"running" | "done" | "failed", "running" | undefined, "done" | "failed">;
  error: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

export interface InstrumentTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  series_id: string;
  number: string;
  status: ColumnType<InstrumentStatus, InstrumentStatus | undefined, InstrumentStatus>;
  customer_id: string | null;
  uses: ColumnType<number, number | undefined, number>;
  expires_at: NullableTimestamp;
  generation_id: string | null;
  activated_at: NullableTimestamp;
  created_at: DefaultTimestamp;
}

export type InstrumentActivityKind =
  | "activate"
  | "load"
  | "redeem"
  | "refund"
  | "void"
  | "block"
  | "unblock";

/** One move of an instrument: its history, written with the ledger posting it describes. */
export interface InstrumentActivityTable {
  id: ColumnType<number, never, never>;
  org_id: string;
  instrument_id: string;
  kind: InstrumentActivityKind;
  status_before: InstrumentStatus;
  status_after: InstrumentStatus;
  /** Signed minor units: what the activity added to the card's balance. */
  amount: DefaultInt8;
  balance_after: Int8;
  store_id: string | null;
  pos_id: string | null;
  staff_id: string | null;
  /** Who did it, as they were called then (a POS or a staff email). */
  actor_label: string;
  receipt_number: string | null;
  /** The sale or return it was a tender or refund of. */
  sale_id: string | null;
  ledger_transaction_id: string | null;
  reason: string | null;
  at: ColumnType<Date, Date | string | undefined, never>;
}

/** One use of a coupon, by one sale. */
export interface CouponRedemptionTable {
  instrument_id: string;
  sale_id: string;
  org_id: string;
  /** Minor units off the sale. */
  discount: DefaultInt8;
  /** Bonus points (hundredths). */
  points: DefaultInt8;
  at: Timestamp;
  /** The return that gave this use back (series `full_return_restores_uses`). */
  restored_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CustomerTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  number: string;
  name: string;
  email: string | null;
  phone: string | null;
  home_store_id: string | null;
  /** Codes of categories 1–5; index 0 is category 1, the customer type. */
  categories: string[];
  created_at: DefaultTimestamp;
  /** The name as the search reads it, kept by the database (migration 0016, fold_name). */
  name_folded: ColumnType<string, never, never>;
}

export interface AccountTable {
  id: Generated<string>;
  org_id: string;
  customer_id: string;
  /** Account type code, e.g. POINTS or MEMCR. */
  type: string;
  created_at: DefaultTimestamp;
}

export interface ItemTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  sku: string;
  name: string;
  category: string;
  /** Sell price levels 1–5, minor units. */
  prices: number[];
  updated_at: DefaultTimestamp;
}

/** A group's draft rule set; absent until first written (the empty draft, version 1). */
export interface RuleSetDraftTable {
  group_id: string;
  org_id: string;
  version: number;
  /** Rule documents as validated by rules/schema.ts `parseRuleSet`. */
  rules: ColumnType<Json, string, string>;
  updated_at: DefaultTimestamp;
  updated_by: string | null;
  /** The saver's email at the time. */
  updated_by_label: string | null;
}

/** A published rule set: version 1, 2, 3… of a group, never changed. */
export interface RuleSetVersionTable {
  group_id: string;
  org_id: string;
  version: number;
  /** The draft version it was published from. */
  draft_version: number;
  rules: ColumnType<Json, string, never>;
  published_at: DefaultTimestamp;
  published_by: string | null;
  published_by_label: string | null;
}

export interface IdempotencyKeyTable {
  org_id: string;
  /** Whose key it is, e.g. `pos:<id>`: two terminals may use the same key. */
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  body: ColumnType<Json, string, string>;
  created_at: DefaultTimestamp;
}

/** Ledger amounts and balances: bigint columns, read as numbers (db/connection.ts). */
type Int8 = ColumnType<number, number | bigint, number | bigint>;
type DefaultInt8 = ColumnType<number, number | bigint | undefined, number | bigint>;

/** Whose value an account holds: a customer's points, an instrument's money, or the programme's. */
export interface LedgerAccountTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  /** Set on a customer's own account (their points). */
  customer_id: string | null;
  /** Set on an instrument's own account (a gift card's money). */
  instrument_id: string | null;
  /** What the account is, e.g. POINTS, or the programme's POINTS_ISSUED. */
  code: string;
  /** PTS (points, integer hundredths) or an ISO 4217 currency (integer minor units). */
  unit: string;
  /** 0 for a customer's or instrument's account; the programme's accounts have a few. */
  slot: ColumnType<number, number | undefined, number>;
  /**
   * The sum of the account's entries, written with them, on a customer's or instrument's
   * account; null on the programme's, whose balance is summed from its entries (no hot row).
   */
  balance: ColumnType<number | null, number | bigint | null | undefined, number | bigint>;
  created_at: DefaultTimestamp;
}

/** One movement of value; its entries sum to zero per unit. Never changed or deleted. */
export interface LedgerTransactionTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  /** SALE, RETURN, ADJUST, …: why value moved. */
  reference: string;
  sale_id: string | null;
  /** The transaction this one reverses (at most one reversal each). */
  reverses_id: string | null;
  pos_id: string | null;
  staff_id: string | null;
  /** Who made it, as they were called then (a POS or a staff email). */
  actor_label: string;
  reason: string | null;
  /** When it happened in business terms (a sale's time, which an offline POS keeps). */
  at: Timestamp;
  created_at: DefaultTimestamp;
}

export interface LedgerEntryTable {
  id: ColumnType<number, never, never>;
  org_id: string;
  transaction_id: string;
  account_id: string;
  unit: string;
  /** Signed: what the entry adds to the account's balance. Never 0. */
  amount: Int8;
  /**
   * The account's balance once this entry is applied: a statement's running balance. Null on
   * the programme's accounts since migration 0017 (they keep no balance).
   */
  balance_after: ColumnType<number | null, number | bigint | null, number | bigint | null>;
  /** The entry's own reference: the earning rule's (ONBO, …) or the transaction's. */
  reference: string;
  rule_id: string | null;
}

/** A sale or a return recorded at a POS. */
export interface SaleTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  store_id: string;
  pos_id: string;
  kind: "sale" | "return";
  /** Unique per POS, sales and returns alike. */
  receipt_number: string;
  at: Timestamp;
  /** `at` as a date on the store's clock. */
  trading_day: ColumnType<string, string, string>;
  customer_id: string | null;
  /** Counted as a member transaction (earns points). */
  member: boolean;
  currency: string;
  /** Net value in minor units: of the sale, or returned by the return (positive). */
  total: Int8;
  /** Points earned (a sale) or reversed (a return), hundredths. */
  points: DefaultInt8;
  /** Points spent as tender (a sale) or given back (a return), hundredths. */
  points_redeemed: DefaultInt8;
  rules_version: number | null;
  /** A return's sale, when the original receipt was given. */
  original_sale_id: string | null;
  /** On a sale: value returned so far by its returns. */
  returned_total: DefaultInt8;
  /** On a sale: spent points given back so far by its returns. */
  points_redeemed_returned: DefaultInt8;
  /**
   * How the total was paid (a sale) or paid back (a return): sales/payment.ts
   * `RecordedTender`s.
   */
  tenders: ColumnType<Json, string | undefined, string>;
  /** A wholesale order's sale: the till code and operator number it was recorded under. */
  till_code: ColumnType<string | null, string | null | undefined, string | null>;
  operator_number: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: DefaultTimestamp;
  /** What pricing read (replay/recorded.ts); null before migration 0011 and on returns. */
  pricing: ColumnType<Json | null, string | null | undefined, string | null>;
}

export interface SaleLineTable {
  sale_id: string;
  index: number;
  org_id: string;
  sku: string;
  quantity: number;
  unit_price: Int8;
  /** The line's value after its own and its share of order discounts, minor units. */
  net: Int8;
  /** What the line earned over all rules, hundredths. */
  points: DefaultInt8;
  returned_quantity: ColumnType<number, number | undefined, number>;
}

/** What one line of a sale earned from one rule; a return reverses from it. */
export interface SaleAwardTable {
  sale_id: string;
  line_index: number;
  rule_id: string;
  org_id: string;
  type: string;
  reference: string;
  points: Int8;
  /** Reversed so far by returns, never above `points`. */
  reversed: DefaultInt8;
}

export interface CustomerStatisticsTable {
  customer_id: string;
  org_id: string;
  visits: ColumnType<number, number | undefined, number>;
  sales_count: ColumnType<number, number | undefined, number>;
  spend: DefaultInt8;
  first_visit: NullableTimestamp;
  last_visit: NullableTimestamp;
}

export interface CustomerVisitDayTable {
  customer_id: string;
  trading_day: ColumnType<string, string, string>;
  org_id: string;
}

export interface StoreDayStatisticsTable {
  store_id: string;
  trading_day: ColumnType<string, string, string>;
  org_id: string;
  group_id: string;
  member_count: ColumnType<number, number | undefined, number>;
  member_total: DefaultInt8;
  non_member_count: ColumnType<number, number | undefined, number>;
  non_member_total: DefaultInt8;
}

export interface EmailTemplateTable {
  group_id: string;
  org_id: string;
  subject: string;
  text_body: string;
  html_body: string;
  version: number;
  updated_at: DefaultTimestamp;
}

/** pending: to be sent; sent: accepted by SMTP; logged: no SMTP configured, written to the log. */
export type EmailStatus = "pending" | "sent" | "logged" | "failed" | "skipped";

export interface EmailOutboxTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  customer_id: string;
  kind: ColumnType<string, string | undefined, string>;
  /** Null: the member has no email (status `skipped`). */
  to_address: string | null;
  status: EmailStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultTimestamp;
  lease_until: NullableTimestamp;
  lease_token: string | null;
  message_id: string | null;
  last_error: string | null;
  created_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

export type EmailAttemptOutcome = "sent" | "logged" | "error";

export interface EmailAttemptTable {
  id: Generated<string>;
  outbox_id: string;
  org_id: string;
  attempt: number;
  at: DefaultTimestamp;
  outcome: EmailAttemptOutcome;
  detail: string;
}

export type WholesaleOrderState = "draft" | "accepted" | "cancelled";

/** A back-office customer order (seed 004's wholesale section). */
export interface WholesaleOrderTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  number: ColumnType<number, never, never>;
  customer_id: string;
  /** The pickup or delivery store. */
  store_id: string;
  fulfilment: "pickup" | "delivery";
  state: ColumnType<WholesaleOrderState, WholesaleOrderState | undefined, WholesaleOrderState>;
  version: ColumnType<number, number | undefined, number>;
  currency: string;
  price_level: number;
  total: Int8;
  note: string | null;
  sale_id: ColumnType<string | null, string | null | undefined, string | null>;
  accepted_version: ColumnType<number | null, number | null | undefined, number | null>;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface WholesaleOrderLineTable {
  order_id: string;
  index: number;
  org_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: Int8;
}

export type ReplayJobStatus = "queued" | "running" | "done" | "cancelled" | "failed";

/** A replay of a draft on a window of a group's sales (replay/jobs.ts). */
export interface ReplayJobTable {
  id: Generated<string>;
  org_id: string;
  group_id: string;
  draft_version: number;
  /** The draft's rules at that version. */
  draft_rules: ColumnType<Json, string, string>;
  published_version: number | null;
  days: number;
  from_at: Timestamp;
  to_at: Timestamp;
  status: ReplayJobStatus;
  /** Sales replayed so far, of `total`. */
  done: ColumnType<number, number | undefined, number>;
  total: ColumnType<number, number | undefined, number>;
  started_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
  /** Written with each progress step: a running job whose heartbeat stopped lost its server. */
  heartbeat_at: DefaultTimestamp;
  error: string | null;
  result: ColumnType<Json | null, string | null | undefined, string | null>;
  created_by: string | null;
}

export interface Database {
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  login_failures: LoginFailureTable;
  signing_keys: SigningKeyTable;
  organizations: OrganizationTable;
  sites: SiteTable;
  stores: StoreTable;
  pos: PosTable;
  staff_memberships: StaffMembershipTable;
  staff_invites: StaffInviteTable;
  access_tokens: AccessTokenTable;
  merchant_groups: MerchantGroupTable;
  merchants: MerchantTable;
  merchant_stores: MerchantStoreTable;
  loyalty_settings: LoyaltySettingsTable;
  audit_log: AuditLogTable;
  series: SeriesTable;
  instrument_generations: InstrumentGenerationTable;
  instruments: InstrumentTable;
  customers: CustomerTable;
  accounts: AccountTable;
  items: ItemTable;
  idempotency_keys: IdempotencyKeyTable;
  rule_set_drafts: RuleSetDraftTable;
  rule_set_versions: RuleSetVersionTable;
  ledger_accounts: LedgerAccountTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_entries: LedgerEntryTable;
  sales: SaleTable;
  sale_lines: SaleLineTable;
  sale_awards: SaleAwardTable;
  customer_statistics: CustomerStatisticsTable;
  customer_visit_days: CustomerVisitDayTable;
  store_day_statistics: StoreDayStatisticsTable;
  instrument_activities: InstrumentActivityTable;
  coupon_redemptions: CouponRedemptionTable;
  email_templates: EmailTemplateTable;
  email_outbox: EmailOutboxTable;
  email_attempts: EmailAttemptTable;
  wholesale_orders: WholesaleOrderTable;
  wholesale_order_lines: WholesaleOrderLineTable;
  replay_jobs: ReplayJobTable;
}
