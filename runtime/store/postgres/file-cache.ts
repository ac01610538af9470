/**
 * File bytes live in the database (file_blobs) so every runtime node sees them; callers want a
 * path, so the bytes are materialised once into a local cache folder (stored files never change).
 */
import { randomUUID } from "node:crypto";
import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { RuntimeError } from "../../errors.ts";

const FILE_CACHE = join(tmpdir(), "comind-runtime-files");

export async function cachedFilePath(pool: pg.Pool, id: string): Promise<string> {
  const path = join(FILE_CACHE, id.replace(/[^a-zA-Z0-9-]/g, ""));
  try {
    await access(path);
    return path;
  } catch {
    const { rows } = await pool.query("SELECT bytes FROM file_blobs WHERE id = $1", [id]);
    if (!rows[0]) throw new RuntimeError("not_found", `No file ${id}.`);
    await mkdir(FILE_CACHE, { recursive: true });
    // Write then rename: a concurrent reader never sees a half-written cache file.
    const partial = `${path}.${randomUUID()}.partial`;
    try {
      await writeFile(partial, rows[0].bytes);
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
    return path;
  }
}
