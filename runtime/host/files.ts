/**
 * Files of one action. Temporary files (downloads, base64, CSV) live in a per-action folder and
 * disappear when the action ends; `persist` queues them for the action's commit, after which they
 * are stored files with an `uploadedFileId` that `attachments` can point at.
 *
 * Stored files follow their record: logic reads one only when a record of an app it may reach (its
 * own app and `dependsOn`) holds it, when it was made in this action, or — while no record holds
 * it — when the action's user uploaded it (a file sent with the request that attaches it). Any
 * other uid answers `not_found`, as one that does not exist.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CsvOptions, FileRef } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { FilePort, FileWrite, StoredFile } from "../store/index.ts";
import { parseCsvText, writeCsvText } from "./csv.ts";
import { fileUidOf } from "./file-uid.ts";

const STORED = "file_";
const TEMP = "tmp_";
const MAX_IN_MEMORY_BYTES = 16 * 1024 * 1024;

/** Which stored files an action's logic may read. */
export interface FileReach {
  workspace: string;
  /** The action's app and the apps of its `comindApp.dependsOn`. */
  apps: readonly string[];
  /** The user the action runs for. */
  userId: string;
}

interface LocalFile extends FileRef {
  path: string;
}

function safeName(name: string | undefined, fallback: string): string {
  const cleaned = String(name ?? "")
    .replace(/[\\/\0]/g, "_")
    .trim();
  return cleaned.slice(0, 200) || fallback;
}

export class ActionFiles {
  private dir: string | null = null;
  private readonly temp = new Map<string, LocalFile>();
  private readonly persisted = new Map<string, FileWrite>();
  private readonly store: FilePort;
  private readonly reach: FileReach;

  constructor(store: FilePort, reach: FileReach) {
    this.store = store;
    this.reach = reach;
  }

  /** Whether this action's logic may read a stored file (see the top of this file). */
  private async mayRead(file: StoredFile): Promise<boolean> {
    const holders = await this.store.fileHolders(file.id);
    if (holders.length === 0) return file.uploadedBy !== null && file.uploadedBy === this.reach.userId;
    const workspace = this.reach.workspace.toLowerCase();
    return holders.some((h) => h.workspace.toLowerCase() === workspace && this.reach.apps.includes(h.app));
  }

  private async folder(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), "comind-action-"));
    return this.dir;
  }

  /** A new temporary file; write the bytes to `path`, then `finish(size)` registers it. */
  async createTempFile(
    fileName: string,
    contentType: string,
  ): Promise<{ path: string; finish(size: number): Promise<FileRef> }> {
    const ref = `${TEMP}${randomUUID()}`;
    const path = join(await this.folder(), ref);
    const entry = {
      ref,
      path,
      fileName: safeName(fileName, "download"),
      contentType: contentType || "application/octet-stream",
      size: 0,
    };
    return {
      path,
      finish: async (size: number) => {
        entry.size = size;
        this.temp.set(ref, entry);
        return publicRef(entry);
      },
    };
  }

  /** A temporary file with these bytes. */
  async writeTemp(bytes: Buffer, fileName: string, contentType: string): Promise<FileRef> {
    const file = await this.createTempFile(fileName, contentType);
    await writeFile(file.path, bytes);
    return file.finish(bytes.length);
  }

  /** Where the bytes of any reference are: temporary, persisted in this action, or stored. */
  async readFile(ref: string): Promise<LocalFile> {
    const temp = this.temp.get(ref);
    if (temp) return temp;
    const id = ref.startsWith(STORED) ? ref.slice(STORED.length) : ref;
    const pending = this.persisted.get(id);
    if (pending)
      return {
        ref,
        path: pending.sourcePath,
        fileName: pending.fileName,
        contentType: pending.contentType,
        size: pending.size,
      };
    const found = await this.store.getFile(id);
    const stored = found && (await this.mayRead(found)) ? found : null;
    if (!stored)
      throw new RuntimeError(
        "not_found",
        `No file with reference "${ref}"; temporary references expire when the action ends unless persisted.`,
      );
    return {
      ref: `${STORED}${id}`,
      path: await this.store.filePath(id),
      fileName: stored.fileName,
      contentType: stored.contentType,
      size: stored.size,
    };
  }

  async getRef({ fileUid }: { fileUid: string }): Promise<FileRef> {
    return publicRef(await this.readFile(fileUidOf(fileUid)));
  }

  async persist({ ref }: { ref: string }): Promise<{ uploadedFileId: string }> {
    const temp = this.temp.get(ref);
    if (!temp) return { uploadedFileId: (await this.readFile(ref)).ref.replace(STORED, "") };
    const bytes = await readFile(temp.path);
    const id = randomUUID();
    this.persisted.set(id, {
      id,
      fileName: temp.fileName,
      contentType: temp.contentType,
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      sourcePath: temp.path,
    });
    return { uploadedFileId: id };
  }

  /** The bytes of a file, refused when larger than `maxBytes` (default 16 MB). */
  async readBytes(ref: string, maxBytes = MAX_IN_MEMORY_BYTES): Promise<Buffer> {
    const file = await this.readFile(ref);
    const size = (await stat(file.path)).size;
    if (size > maxBytes)
      throw new RuntimeError(
        "limit_exceeded",
        `File "${file.fileName}" is too large to read into the action (${size} bytes, limit ${maxBytes}).`,
      );
    return readFile(file.path);
  }

  async readBase64({ ref }: { ref: string }): Promise<string> {
    return (await this.readBytes(ref)).toString("base64");
  }

  async fromBase64({
    data,
    fileName,
    contentType,
  }: {
    data: string;
    fileName?: string;
    contentType?: string;
  }): Promise<FileRef> {
    return this.writeTemp(
      Buffer.from(String(data), "base64"),
      safeName(fileName, "file.bin"),
      contentType ?? "application/octet-stream",
    );
  }

  /** `parse`: where the parsing runs (a host thread in actions, cpu/); inline by default. */
  async readCsv(
    { ref, options }: { ref: string; options?: CsvOptions },
    parse: (text: string) => unknown[] | Promise<unknown[]> = (text) => parseCsvText(text, options),
  ): Promise<unknown[]> {
    return parse((await this.readBytes(ref)).toString("utf8"));
  }

  /** `write`: where the CSV text is made (a host thread in actions, cpu/); inline by default. */
  async writeCsv(
    {
      rows,
      fileName,
      options,
    }: {
      rows: unknown[];
      fileName?: string;
      options?: CsvOptions;
    },
    write: (rows: unknown[]) => string | Promise<string> = (all) => writeCsvText(all, options),
  ): Promise<FileRef> {
    return this.writeTemp(
      Buffer.from(await write(rows), "utf8"),
      safeName(fileName, "export.csv"),
      "text/csv",
    );
  }

  /** Files to store with the action's commit. */
  pendingWrites(): FileWrite[] {
    return [...this.persisted.values()];
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

function publicRef(file: FileRef): FileRef {
  return { ref: file.ref, fileName: file.fileName, contentType: file.contentType, size: file.size };
}
