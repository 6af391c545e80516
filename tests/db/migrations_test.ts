import assert from "node:assert/strict";
import { sql } from "kysely";
import { connect, type Db } from "../../db/connection.ts";
import {
  knownMigrations,
  latestAppliedMigration,
  latestKnownMigration,
  migrateToLatest,
  SchemaAheadError,
  schemaState,
} from "../../db/migrate.ts";
import { migrations } from "../../db/migrations/mod.ts";
import { createTestDatabase, testBackend } from "../helpers/db.ts";

Deno.test(`migrations apply on ${testBackend} and are recorded once`, async () => {
  const database = await createTestDatabase();
  try {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public'`
      .execute(database.db);
    const names = tables.rows.map((r) => r.table_name);
    for (const t of ["staff_users", "staff_sessions", "login_failures", "signing_keys"]) {
      assert.ok(names.includes(t), `${t} exists`);
    }
    const done = await sql<{ name: string }>`select name from kysely_migration`.execute(
      database.db,
    );
    assert.deepEqual(done.rows.map((r) => r.name).sort(), Object.keys(migrations).sort());
    assert.deepEqual(await migrateToLatest(database.db), [], "a second run applies nothing");
  } finally {
    await database.close();
  }
});

Deno.test("each test database is isolated from the others", async () => {
  const a = await createTestDatabase();
  const b = await createTestDatabase();
  try {
    await a.db.insertInto("staff_users").values({
      email: "only-in-a@example.com",
      name: "A",
      is_owner: true,
      password_hash: "x",
    }).execute();
    const inB = await b.db.selectFrom("staff_users").selectAll().execute();
    assert.equal(inB.length, 0);
    if (testBackend === "postgres") assert.notEqual(a.url, b.url);
  } finally {
    await a.close();
    await b.close();
  }
});

const ROOT = new URL("../../", import.meta.url).pathname;
const FROM_THE_FUTURE = "9999_from_a_newer_version";

/** Records a migration this code does not know, as a newer version's db:migrate would. */
async function migratedByANewerVersion(db: Db) {
  await sql`insert into kysely_migration (name, timestamp)
    values (${FROM_THE_FUTURE}, ${new Date().toISOString()})`.execute(db);
}

Deno.test(`a database migrated by a newer version is refused, unchanged (${testBackend})`, async () => {
  const database = await createTestDatabase();
  try {
    await migratedByANewerVersion(database.db);
    await assert.rejects(migrateToLatest(database.db), (err) => {
      assert.ok(err instanceof SchemaAheadError);
      assert.deepEqual(err.unknown, [FROM_THE_FUTURE]);
      assert.match(err.message, /migrated by a newer version/);
      return true;
    });
    const done = await sql<{ name: string }>`select name from kysely_migration`.execute(
      database.db,
    );
    assert.deepEqual(done.rows.map((r) => r.name).sort(), [...knownMigrations, FROM_THE_FUTURE]);
  } finally {
    await database.close();
  }
});

Deno.test({
  name: "deno task db:migrate on a newer database: one clear line, exit 1 (postgres)",
  ignore: testBackend !== "postgres",
  async fn() {
    const database = await createTestDatabase();
    try {
      await migratedByANewerVersion(database.db);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "db:migrate"],
        cwd: ROOT,
        env: { DATABASE_URL: database.url, NO_COLOR: "1" },
        stdin: "null",
      }).output();
      assert.equal(out.code, 1);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.match(
        stderr,
        new RegExp(
          `^db:migrate failed: the database has migrations this code does not know ` +
            `\\(${FROM_THE_FUTURE}\\): it was migrated by a newer version`,
          "m",
        ),
      );
      assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
      assert.doesNotMatch(new TextDecoder().decode(out.stdout), /applied/);
    } finally {
      await database.close();
    }
  },
});

Deno.test({
  name: "two migrators at once on a fresh database: both succeed, each migration runs once " +
    "(postgres)",
  ignore: testBackend !== "postgres",
  async fn() {
    const database = await createTestDatabase({ migrated: false });
    // Two instances' db:migrate: a pool each, started together.
    const other = await connect(database.url);
    try {
      const [a, b] = await Promise.all([
        migrateToLatest(database.db),
        migrateToLatest(other.db),
      ]);
      assert.deepEqual([...a, ...b].sort(), knownMigrations, "each applied by exactly one");
      const done = await sql<{ name: string }>`select name from kysely_migration`.execute(
        database.db,
      );
      assert.deepEqual(done.rows.map((r) => r.name).sort(), knownMigrations);
      assert.equal(schemaState(await latestAppliedMigration(other.db)), "current");
    } finally {
      await other.close();
      await database.close();
    }
  },
});

Deno.test(`schema states: pending, current, ahead (${testBackend})`, async () => {
  const empty = await createTestDatabase({ migrated: false });
  try {
    assert.equal(await latestAppliedMigration(empty.db), null);
    assert.equal(schemaState(null), "pending");
  } finally {
    await empty.close();
  }
  assert.equal(schemaState(knownMigrations[0]), knownMigrations.length > 1 ? "pending" : "current");
  assert.equal(schemaState(latestKnownMigration), "current");
  assert.equal(schemaState(FROM_THE_FUTURE), "ahead");
});
