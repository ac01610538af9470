/**
 * The chunks of flow.js-style uploads (POST /api/upload) on disk until the file is whole. Each
 * upload is one folder named by `flowFileId(uploader, flowIdentifier)` (hex, so no client text
 * reaches a path; another uploader's identical identifier is another folder). A chunk is written
 * to a temporary name and renamed, and `meta.json` records the upload's totals, the size of each
 * chunk received and the time of its last chunk. The first chunk fixes the totals; a later chunk
 * that disagrees is refused. An upload with no chunk for `ttlMs` expires: it answers as absent
 * and a sweep (at most every `sweepEveryMs`, run by upload requests) deletes it.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RuntimeError } from "../errors.ts";
import { FLOW_UPLOAD_TTL_MS } from "./upload-limits.ts";

/** The stored file id of an uploader's flowIdentifier (the same pair, the same id). */
export function flowFileId(uploader: string, identifier: string): string {
  return createHash("sha256").update(`flow\0${uploader}\0${identifier}`).digest("hex").slice(0, 32);
}

export interface FlowChunk {
  number: number;
  totalChunks: number;
  totalSize: number;
  fileName: string;
  /** The multipart part's type; the first chunk's names the file's type. */
  contentType: string;
  bytes: Uint8Array;
}

/** A whole file assembled from its chunks: commit it, then `release()` (success or not). */
export interface AssembledFile {
  path: string;
  size: number;
  sha256: string;
  fileName: string;
  contentType: string;
}

export type ChunkOutcome =
  | { complete: false; received: number; totalChunks: number }
  | { complete: true; file: AssembledFile };

interface Meta {
  totalChunks: number;
  totalSize: number;
  fileName: string;
  contentType: string;
  sizes: Record<string, number>;
  lastActivity: number;
}

export interface FlowChunkStoreOptions {
  root: string;
  ttlMs?: number;
  sweepEveryMs?: number;
  now?: () => number;
}

const HOUR = 60 * 60 * 1000;
const KEY = /^[a-f0-9]{32}$/;

export function createFlowChunkStore(options: FlowChunkStoreOptions) {
  const { root } = options;
  const ttlMs = options.ttlMs ?? FLOW_UPLOAD_TTL_MS;
  const sweepEveryMs = options.sweepEveryMs ?? HOUR;
  const now = options.now ?? Date.now;
  const locks = new Map<string, Promise<unknown>>();
  let lastSweep = now();

  const dirOf = (key: string) => {
    if (!KEY.test(key)) throw new RuntimeError("bad_request", "Invalid upload key.");
    return join(root, key);
  };

  async function readMeta(key: string): Promise<Meta | null> {
    const meta = await readFile(join(dirOf(key), "meta.json"), "utf8").then(
      (text) => JSON.parse(text) as Meta,
      () => null,
    );
    if (meta && now() - meta.lastActivity > ttlMs) {
      await rm(dirOf(key), { recursive: true, force: true });
      return null;
    }
    return meta;
  }

  async function writeMeta(key: string, meta: Meta): Promise<void> {
    const temp = join(dirOf(key), `meta.${randomUUID()}.tmp`);
    await writeFile(temp, JSON.stringify(meta));
    await rename(temp, join(dirOf(key), "meta.json"));
  }

  function refuseMismatch(meta: Meta, chunk: FlowChunk): void {
    const changed =
      meta.totalChunks !== chunk.totalChunks
        ? "flowTotalChunks"
        : meta.totalSize !== chunk.totalSize
          ? "flowTotalSize"
          : meta.fileName !== chunk.fileName
            ? "flowFilename"
            : null;
    if (changed)
      throw new RuntimeError(
        "bad_request",
        `${changed} differs from the earlier chunks of this flowIdentifier; send every chunk with the same totals, or start again with a new flowIdentifier.`,
      );
  }

  /** The chunks in order into one file (a chunk at a time in memory: at most 16 MB). */
  async function assemble(key: string, meta: Meta): Promise<AssembledFile> {
    const path = join(root, `${key}.${randomUUID()}.assembled`);
    const hash = createHash("sha256");
    const out = await open(path, "w");
    try {
      for (let n = 1; n <= meta.totalChunks; n++) {
        const bytes = await readFile(join(dirOf(key), `${n}.part`));
        hash.update(bytes);
        await out.write(bytes);
      }
    } catch (error) {
      await out.close();
      await rm(path, { force: true });
      throw error;
    }
    await out.close();
    return {
      path,
      size: meta.totalSize,
      sha256: hash.digest("hex"),
      fileName: meta.fileName,
      contentType: meta.contentType,
    };
  }

  /** Runs `work` with no other work on the same upload in this process (chunks arrive in parallel). */
  async function exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = locks.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const settled = mine.catch(() => undefined);
    locks.set(key, settled);
    try {
      return await mine;
    } finally {
      if (locks.get(key) === settled) locks.delete(key);
    }
  }

  /** Deletes expired uploads (not one in use); errors are left for the next sweep. */
  async function sweep(): Promise<void> {
    lastSweep = now();
    const names = await readdir(root).catch(() => [] as string[]);
    for (const name of names) {
      if (locks.has(name.slice(0, 32))) continue;
      if (name.endsWith(".assembled")) {
        // Left by a process that stopped between assembling and storing a file.
        const age = await stat(join(root, name)).then(
          (s) => now() - s.mtimeMs,
          () => 0,
        );
        if (age > ttlMs) await rm(join(root, name), { force: true });
        continue;
      }
      if (!KEY.test(name)) continue;
      await readMeta(name).then(
        async (meta) => {
          if (!meta) await rm(dirOf(name), { recursive: true, force: true });
        },
        () => undefined,
      );
    }
  }

  async function sweepWhenDue(): Promise<void> {
    if (now() - lastSweep >= sweepEveryMs) await sweep().catch(() => undefined);
  }

  return {
    exclusive,
    sweep,

    /** Whether chunk `number` of this upload is stored (flow.js's test request). */
    async has(key: string, number: number): Promise<boolean> {
      await sweepWhenDue();
      const meta = await readMeta(key);
      return Boolean(meta && meta.sizes[String(number)] !== undefined);
    },

    /** Stores one chunk; when it was the last one missing, assembles the file. Call within `exclusive`. */
    async put(key: string, chunk: FlowChunk): Promise<ChunkOutcome> {
      await sweepWhenDue();
      const dir = dirOf(key);
      const known = await readMeta(key); // first: an expired upload's folder is deleted here
      await mkdir(dir, { recursive: true });
      const meta: Meta = known ?? {
        totalChunks: chunk.totalChunks,
        totalSize: chunk.totalSize,
        fileName: chunk.fileName,
        contentType: chunk.contentType,
        sizes: {},
        lastActivity: now(),
      };
      refuseMismatch(meta, chunk);
      const others = Object.entries(meta.sizes).reduce(
        (sum, [n, size]) => (n === String(chunk.number) ? sum : sum + size),
        0,
      );
      if (others + chunk.bytes.length > meta.totalSize)
        throw new RuntimeError(
          "bad_request",
          `The chunks of this upload add up to more than flowTotalSize (${meta.totalSize} bytes); send each chunk's bytes once.`,
        );
      const temp = join(dir, `${chunk.number}.${randomUUID()}.tmp`);
      await writeFile(temp, chunk.bytes);
      await rename(temp, join(dir, `${chunk.number}.part`));
      if (chunk.number === 1 && chunk.contentType) meta.contentType = chunk.contentType;
      meta.sizes[String(chunk.number)] = chunk.bytes.length;
      meta.lastActivity = now();
      await writeMeta(key, meta);
      const received = Object.keys(meta.sizes).length;
      if (received < meta.totalChunks) return { complete: false, received, totalChunks: meta.totalChunks };
      if (others + chunk.bytes.length !== meta.totalSize) {
        await rm(dir, { recursive: true, force: true });
        throw new RuntimeError(
          "bad_request",
          `Every chunk arrived but they hold ${others + chunk.bytes.length} bytes, not flowTotalSize ${meta.totalSize}; the upload was discarded, send it again.`,
        );
      }
      return { complete: true, file: await assemble(key, meta) };
    },

    /** Deletes an upload's chunks (after its file was stored). */
    async discard(key: string): Promise<void> {
      await rm(dirOf(key), { recursive: true, force: true });
    },
  };
}

export type FlowChunkStore = ReturnType<typeof createFlowChunkStore>;
