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

export interface StaffMembershipTable {
  staff_id: string;
  org_id: string;
  role: OrgRole;
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

export type TokenKind = "pos" | "site";

export interface AccessTokenTable {
  jti: string;
  org_id: string;
  kind: TokenKind;
  /** The POS or site id the token acts as. */
  principal_id: string;
  label: string | null;
  /** The key that signed it: rotation keeps that key until the token expires. */
  kid: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
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
}
