/**
 * The store contract on Postgres (127.0.0.1:5432, user postgres, database test, or
 * TEST_DATABASE_URL), in a fresh schema of this test file's own that is dropped afterwards;
 * plus what only Postgres has: concurrent opens, the per-connection search_path.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMigrations } from "../../runtime/store/migrations.ts";
import { openPostgresStore } from "../../runtime/store/postgres/index.ts";
import { POSTGRES_URL } from "../helpers/engines.ts";
import { seed } from "./builders.ts";
import { storeContract } from "./contract.ts";

const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const freshSchema = `t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

async function admin(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin(`CREATE SCHEMA ${schema}`));
afterAll(async () => {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin(`DROP SCHEMA IF EXISTS ${freshSchema} CASCADE`);
});

storeContract("postgres", async () => {
  const store = await openPostgresStore(POSTGRES_URL, { schema });
  return { store, cleanup: () => store.close() };
});

describe("postgres store only", () => {
  it("lets several processes open a new schema at once (the advisory lock serialises migrations)", async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresStore(POSTGRES_URL, { schema: freshSchema })),
    );
    try {
      const { rows } = await admin(`SELECT version FROM ${freshSchema}.schema_migrations ORDER BY version`);
      expect(rows.map((row) => row.version)).toEqual(loadMigrations("postgres").map((m) => m.version));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it("keeps every pooled connection in the store's schema", async () => {
    const store = await openPostgresStore(POSTGRES_URL, { schema });
    try {
      const [record] = await seed(store, "POOL", "T", [{ title: "in schema" }]);
      // More concurrent reads than the pool has connections: each one must see the schema's tables.
      const reads = await Promise.all(Array.from({ length: 30 }, () => store.getRecord("POOL", record.id)));
      expect(reads.every((read) => read?.id === record.id)).toBe(true);
      const { rows } = await admin(
        `SELECT count(*)::int AS n FROM ${schema}.records WHERE id = '${record.id}'`,
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("refuses a schema name that would have to be quoted", async () => {
    await expect(openPostgresStore(POSTGRES_URL, { schema: "x; DROP SCHEMA public" })).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});
