import assert from "node:assert/strict";
import { sql } from "kysely";
import { migrateToLatest } from "../../db/migrate.ts";
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
