/**
 * Worker threads for the document helpers (piscina): PDF, xlsx and zip work runs off the event
 * loop, at most two tasks at a time, each thread with its own heap limit. When the action hits its
 * deadline the task's thread is terminated; a thread that runs out of heap fails only its task
 * (`limit_exceeded`) and piscina starts a fresh one for the next. Buffers live outside the heap
 * limit, so the tasks cap what they unpack themselves (image headers, zip entries, PDF streams).
 */
import { extname } from "node:path";
import { Piscina } from "piscina";
import { RuntimeError } from "../../errors.ts";
import { CONTENT_LIMITS } from "../content-limits.ts";
import { type DocumentPoolOptions, parseDocumentPoolOptions } from "./options-schema.ts";
import { isThreadOutOfMemory, type TaskReply, unwrapReply } from "../thread-reply.ts";

export type DocumentTask = "renderPdf" | "mergePdf" | "buildWorkbook" | "readWorkbook" | "zip";

/** The caps every task is handed (tasks run in other threads, which see no options). */
export interface DocumentLimits {
  maxImagePixels: number;
}

export class DocumentPool {
  private pool: Piscina | null = null;
  readonly limits: DocumentLimits;
  readonly threadHeapMb: number;

  /** @throws RuntimeError bad_request naming a value out of its range (options-schema.ts) */
  constructor(options: DocumentPoolOptions = {}) {
    const checked = parseDocumentPoolOptions(options);
    this.limits = { maxImagePixels: checked.maxImagePixels ?? CONTENT_LIMITS.imagePixels };
    this.threadHeapMb = checked.threadHeapMb ?? CONTENT_LIMITS.threadHeapMb;
  }

  private piscina(): Piscina {
    this.pool ??= new Piscina({
      // tasks.ts when run from the sources, tasks.js once built.
      filename: new URL(`./tasks${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href,
      maxThreads: 2,
      minThreads: 0,
      idleTimeout: 30_000,
      resourceLimits: {
        maxOldGenerationSizeMb: this.threadHeapMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, this.threadHeapMb / 8)),
      },
    });
    return this.pool;
  }

  async run<T>(task: DocumentTask, arg: object, signal: AbortSignal): Promise<T> {
    let reply: TaskReply<T>;
    try {
      reply = await this.piscina().run({ ...arg, limits: this.limits }, { name: task, signal });
    } catch (error) {
      if (signal.aborted)
        throw new RuntimeError("timeout", "The action reached its time limit while building a document.");
      if (isThreadOutOfMemory(error))
        throw new RuntimeError(
          "limit_exceeded",
          `The document needed more than ${this.threadHeapMb} MB of memory to build or read; make it smaller.`,
        );
      throw error;
    }
    return unwrapReply(reply);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}
