import { Migrator } from "kysely/migration";
import type { Db } from "./connection.ts";
import { migrations } from "./migrations/mod.ts";

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

if (import.meta.main) {
  const { connect } = await import("./connection.ts");
  const { loadConfig } = await import("../config.ts");
  const config = loadConfig();
  const conn = await connect(config.databaseUrl, { dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(conn.db);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  } finally {
    await conn.close();
  }
}
