/**
 * A throwaway PostgreSQL cluster of the fault tests' own, which they may restart and whose
 * connections they may terminate: initdb into a temporary folder, started on a free port of
 * 127.0.0.1, removed at the end. Never the shared server a developer or the CI runs on.
 * As root, Postgres refuses to run: every command then runs as the `postgres` user (as
 * .ci/run does).
 */
import pg from "pg";
import { freePort } from "../browser/server.ts";

export interface Cluster {
  /** A URL of the maintenance database `postgres`. */
  adminUrl: string;
  port: number;
  /** The URL of database `name` on this cluster. */
  urlOf(name: string): string;
  /** `pg_ctl restart -m immediate`: every connection cut, no checkpoint, crash recovery. */
  restartImmediate(): Promise<void>;
  /** Stops the server until `start`. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  /** Terminates every backend connected to `database` except the caller's; answers how many. */
  terminateBackends(database: string): Promise<number>;
  /** Runs one statement on `database` on a connection of its own. */
  query<T = Record<string, unknown>>(database: string, text: string): Promise<T[]>;
  /** Stops the server and removes its folder. */
  remove(): Promise<void>;
  /** The same, synchronously: for an `unload` handler when a test run is cut short. */
  removeSync(): void;
}

const isRoot = () => Deno.uid?.() === 0;

/** The newest /usr/lib/postgresql/<version>/bin with initdb, else the one on PATH. */
async function findBin(): Promise<string> {
  const versions: number[] = [];
  try {
    for await (const e of Deno.readDir("/usr/lib/postgresql")) {
      if (/^\d+$/.test(e.name)) versions.push(Number(e.name));
    }
  } catch { /* not a Debian layout */ }
  for (const v of versions.sort((a, b) => b - a)) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (await Deno.stat(`${dir}/initdb`).then(() => true, () => false)) return dir;
  }
  const which = await new Deno.Command("sh", { args: ["-c", "command -v initdb"] }).output();
  if (which.success) return new TextDecoder().decode(which.stdout).trim().replace(/\/initdb$/, "");
  throw new Error("no PostgreSQL binaries: apt-get install -y postgresql");
}

/** `cmd args` as the postgres user when root, from / so any working directory works. */
function command(bin: string, args: string[]): Deno.Command {
  return isRoot()
    ? new Deno.Command("runuser", { args: ["-u", "postgres", "--", bin, ...args], cwd: "/" })
    : new Deno.Command(bin, { args, cwd: "/" });
}

async function run(bin: string, args: string[]): Promise<void> {
  const out = await command(bin, args).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`${bin} ${args.join(" ")} failed (${out.code}):\n${text}`);
  }
}

export async function createCluster(): Promise<Cluster> {
  const bin = await findBin();
  const dir = await Deno.makeTempDir({ prefix: "le-faults-pg-" });
  const data = `${dir}/data`;
  if (isRoot()) {
    const chown = await new Deno.Command("chown", { args: ["postgres:", dir] }).output();
    if (!chown.success) throw new Error(`cannot give ${dir} to the postgres user`);
  }
  const port = freePort();
  await run(`${bin}/initdb`, [
    "-D",
    data,
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--auth=trust",
    "--no-sync",
  ]);
  await Deno.writeTextFile(
    `${data}/pg_hba.conf`,
    "local all all trust\nhost all all 127.0.0.1/32 trust\n",
  );
  const options = [
    "-c listen_addresses=127.0.0.1",
    `-p ${port}`,
    `-c unix_socket_directories=${dir}`,
    // A commit must outlive a crash of Postgres (not of the machine): with synchronous_commit
    // off, `pg_ctl stop -m immediate` loses commits already answered. fsync and full-page
    // writes only guard against the machine crashing: off, for speed.
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c max_connections=100",
  ].join(" ");
  const pgCtl = (...args: string[]) =>
    run(`${bin}/pg_ctl`, ["-D", data, "-l", `${dir}/postgres.log`, "-w", "-t", "60", ...args]);
  await pgCtl("-o", options, "start");

  const urlOf = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const query = async <T>(database: string, text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: urlOf(database) });
    client.on("error", () => {/* a restart during the call: the query rejects */});
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  };
  let removed = false;
  return {
    adminUrl: urlOf("postgres"),
    port,
    urlOf,
    restartImmediate: () => pgCtl("-m", "immediate", "-o", options, "restart"),
    stopImmediate: () => pgCtl("-m", "immediate", "stop"),
    start: () => pgCtl("-o", options, "start"),
    terminateBackends: async (database) => {
      const rows = await query<{ n: number }>(
        "postgres",
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = '${database.replaceAll("'", "''")}' and pid <> pg_backend_pid()`,
      );
      return rows[0].n;
    },
    query,
    remove: async () => {
      if (removed) return;
      removed = true;
      await pgCtl("-m", "immediate", "stop").catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
    removeSync: () => {
      if (removed) return;
      removed = true;
      command(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"]).outputSync();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
