/** Numbered SQL migration files (NNN_name.sql) of one engine, in order. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(engine: "sqlite" | "postgres"): Migration[] {
  const dir = join(import.meta.dirname, "migrations", engine);
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number.parseInt(file, 10),
      name: file,
      sql: readFileSync(join(dir, file), "utf8"),
    }));
}
