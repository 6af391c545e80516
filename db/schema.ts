import type { ColumnType, Generated } from "kysely";

/** Timestamps come back as Date from both pg and PGlite; we write Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export interface StaffUserTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: "owner" | "admin" | "marketing" | "support";
  password_hash: string;
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
  retired_at: NullableTimestamp;
}

export interface Database {
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  login_failures: LoginFailureTable;
  signing_keys: SigningKeyTable;
}
