/**
 * The store engines a test runs against: embedded SQLite in a temp folder, and the local Postgres
 * (127.0.0.1:5432, user postgres, database test) in a fresh schema dropped afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoreOptions } from "../../runtime/store/index.ts";

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface Engine {
  name: string;
  create(): Promise<{ options: StoreOptions; cleanup: () => Promise<void> }>;
}

export const SQLITE: Engine = {
  name: "sqlite",
  async create() {
    const dataDir = mkdtempSync(join(tmpdir(), "comind-store-"));
    return { options: { dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

export const POSTGRES: Engine = {
  name: "postgres",
  async create() {
    const { default: pg } = await import("pg");
    const schema = `t_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    return {
      options: { dataDir: "", databaseUrl: POSTGRES_URL, schema },
      cleanup: async () => {
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      },
    };
  },
};

export const ENGINES: Engine[] = [SQLITE, POSTGRES];
