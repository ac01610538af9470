/**
 * Per request: the 30 s deadline, the answer when it passes, and the 503 while the server shuts
 * down. A request whose actions were committing (or committed) when time ran out is answered
 * `503 commit_unknown` with their run ids, never a plain failure; the connection is closed after
 * any timeout answer so a client still trickling its body cannot hold the socket.
 */
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CommitPhase } from "../actions/index.ts";
import { ERROR_CODES } from "../errors.ts";

export const RETRY_AFTER_SECONDS = 5;
/** How long `serve` lets connections drain at SIGTERM before closing what is left. */
export const DEFAULT_DRAIN_MS = 2_000;
const DRAIN_POLL_MS = 20;

/** Runs of this request whose commit started: still committing, committed, or of unknown outcome. */
export interface RequestCommits {
  started: Set<string>;
  failed: Set<string>;
}

declare module "fastify" {
  interface FastifyRequest {
    commits: RequestCommits;
  }
  interface FastifyInstance {
    /**
     * Starts shutting down without resetting anyone: from now on every request is answered 503
     * `shutting_down` with `Connection: close`, and this waits (at most `graceMs`) until the open
     * connections are gone. Then `close()`. Closing at once would reset keep-alive connections
     * whose next request is already on the wire (the client sees ECONNRESET, not the 503).
     */
    drain(graceMs: number): Promise<void>;
  }
}

/** The `onCommit` callback an action started by this request reports its commit to. */
export function commitTracker(commits: RequestCommits): (runId: string, phase: CommitPhase) => void {
  return (runId, phase) => {
    if (phase === "start") commits.started.add(runId);
    if (phase === "failed") commits.failed.add(runId);
  };
}

function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("connection", "close");
  reply.raw.once("finish", () => {
    const socket = request.raw.socket as { destroy?: () => void } | null;
    socket?.destroy?.();
  });
}

function answerTimeout(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): void {
  if (reply.sent || reply.raw.headersSent) return;
  closeAfterAnswer(request, reply);
  const touched = [...request.commits.started].filter((runId) => !request.commits.failed.has(runId));
  if (touched.length) {
    reply
      .code(503)
      .header("retry-after", String(RETRY_AFTER_SECONDS))
      .send({
        error: {
          code: "commit_unknown",
          message: `The request took longer than ${timeoutMs / 1000} s after some of its changes were committed or while they were committing. Check GET /api/runs/{runId} for each run id, or retry with the same Idempotency-Key.`,
          runIds: touched,
        },
      });
    return;
  }
  reply.code(504).send({
    error: {
      code: "timeout",
      message: `The request took longer than ${timeoutMs / 1000} s; nothing it started was committed.`,
    },
  });
}

export function installRequestGuard(server: FastifyInstance, requestTimeoutMs: number): void {
  let closing = false;
  server.decorateRequest("deadline", 0);
  server.decorateRequest("commits", null as never);
  server.addHook("preClose", async () => {
    closing = true;
  });
  const sockets = new Set<Socket>();
  server.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.decorate("drain", async (graceMs: number) => {
    closing = true;
    const end = Date.now() + graceMs;
    while (sockets.size > 0 && Date.now() < end) await sleep(DRAIN_POLL_MS);
  });
  server.addHook("onRequest", async (request, reply) => {
    request.commits = { started: new Set(), failed: new Set() };
    if (closing) {
      closeAfterAnswer(request, reply);
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send({ error: { code: "shutting_down", message: ERROR_CODES.shutting_down.hint } });
    }
    request.deadline = Date.now() + requestTimeoutMs;
    const timer = setTimeout(() => answerTimeout(request, reply, requestTimeoutMs), requestTimeoutMs);
    reply.raw.once("close", () => clearTimeout(timer));
  });
}
