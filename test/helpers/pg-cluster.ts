/**
 * A throwaway Postgres cluster for tests that need a database outage: `initdb` + `pg_ctl` as the
 * `postgres` OS user, in a temp folder, on a free loopback port. Never the machine's shared cluster.
 *
 * @example
 *   const cluster = await startThrowawayCluster();
 *   await cluster.stop("fast"); await cluster.start(); await cluster.remove();
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ThrowawayCluster {
  url: string;
  port: number;
  /** `fast` = admin shutdown (57P01 to every session), `immediate` = like a crash. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.find((version) => existsSync(join(root, version, "bin", "initdb")));
  if (!found) throw new Error("No Postgres server binaries under /usr/lib/postgresql/*/bin");
  return join(root, found, "bin");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function asPostgres(command: string, args: string[]): Promise<void> {
  await run("runuser", ["-u", "postgres", "--", join(binDir(), command), ...args], { timeout: 120_000 });
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), "comind-pg-"));
  const { stdout } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  const data = join(dir, "data");
  await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  let running = false;
  const cluster: ThrowawayCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asPostgres("pg_ctl", [
        "-D",
        data,
        "-w",
        "-t",
        "60",
        "-l",
        join(dir, "server.log"),
        "-o",
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
        "start",
      ]);
      running = true;
    },
    async stop(mode) {
      await asPostgres("pg_ctl", ["-D", data, "-w", "-t", "60", "-m", mode, "stop"]);
      running = false;
    },
    async remove() {
      if (running) await cluster.stop("immediate").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
