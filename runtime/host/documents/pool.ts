/**
 * Worker threads for the document helpers (piscina): PDF, xlsx and zip work runs off the event
 * loop, at most two tasks at a time, each thread with its own heap limit. When the action hits its
 * deadline the task's thread is terminated; a thread that runs out of memory fails only its task.
 */
import { extname } from "node:path";
import { Piscina } from "piscina";
import { type ErrorCode, RuntimeError } from "../../errors.ts";
import type { TaskReply } from "./tasks.ts";

const THREAD_HEAP_MB = 1024;

export type DocumentTask = "renderPdf" | "mergePdf" | "buildWorkbook" | "readWorkbook" | "zip";

export class DocumentPool {
  private pool: Piscina | null = null;

  private piscina(): Piscina {
    this.pool ??= new Piscina({
      // tasks.ts when run from the sources, tasks.js once built.
      filename: new URL(`./tasks${extname(new URL(import.meta.url).pathname)}`, import.meta.url).href,
      maxThreads: 2,
      minThreads: 0,
      idleTimeout: 30_000,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    });
    return this.pool;
  }

  async run<T>(task: DocumentTask, arg: object, signal: AbortSignal): Promise<T> {
    let reply: TaskReply<T>;
    try {
      reply = await this.piscina().run(arg, { name: task, signal });
    } catch (error) {
      if (signal.aborted)
        throw new RuntimeError("timeout", "The action reached its time limit while building a document.");
      if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY")
        throw new RuntimeError(
          "limit_exceeded",
          `The document needed more than ${THREAD_HEAP_MB} MB of memory to build; make it smaller.`,
        );
      throw error;
    }
    if ("error" in reply) throw new RuntimeError(reply.error.code as ErrorCode, reply.error.message);
    return reply.ok;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}
