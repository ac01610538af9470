/**
 * /api/upload: the vendor's chunked multipart upload, in the flow.js protocol. Each chunk is a
 * POST of multipart/form-data with the fields `flowChunkNumber` (from 1), `flowTotalChunks`,
 * `flowTotalSize`, `flowIdentifier`, `flowFilename` (also `flowChunkSize`,
 * `flowCurrentChunkSize`, `flowRelativePath`) and the chunk's bytes as a file part; a GET with
 * the same fields in the query asks whether a chunk is already stored (200) or not (204), so an
 * interrupted upload resumes. When the last missing chunk arrives the file is stored and the
 * answer carries its `file_uid` (also the `Comind-File-Uid` header), which tickets/multi takes in
 * `attachments: [{ file_uid, title }]`; the flowIdentifier itself is accepted there too, for its
 * uploader (routes/multi.ts).
 *
 * A flowIdentifier names one file per uploader: the file id is derived from the pair
 * (flow-chunks.ts), so once the file is stored every chunk of it tests as present and further
 * chunks are answered with the stored file. Same limits as /api/upload-tus: 100 MB per file;
 * chunks at most 16 MB each (the body is parsed in memory); uploads with no chunk for 24 hours
 * expire. Files follow the tus route's access rule: the uploader alone reads the file until a
 * record holds it.
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { RuntimeError } from "../../errors.ts";
import type { StoredFile } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";
import { type AssembledFile, createFlowChunkStore, flowFileId } from "../flow-chunks.ts";
import { acceptMultipart, filePartOf } from "../multipart-body.ts";
import { MAX_FLOW_CHUNK_BYTES, MAX_UPLOAD_BYTES } from "../upload-limits.ts";
import { flowUploadAnswer } from "./response-schemas.ts";
import { flowChunkBody, flowTestQuery } from "./schemas.ts";

/** Room for the multipart framing and the text fields around a chunk's bytes. */
const MAX_CHUNK_BODY_BYTES = MAX_FLOW_CHUNK_BYTES + 64 * 1024;

interface FlowParams {
  flowChunkNumber: number;
  flowTotalChunks: number;
  flowTotalSize: number;
  flowIdentifier: string;
  flowFilename: string;
  flowCurrentChunkSize?: number;
}

function checkTotals(params: FlowParams): void {
  if (params.flowTotalSize > MAX_UPLOAD_BYTES)
    throw new RuntimeError(
      "payload_too_large",
      `The file is ${params.flowTotalSize} bytes; uploads may be at most ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`,
    );
  if (params.flowChunkNumber > params.flowTotalChunks)
    throw new RuntimeError(
      "bad_request",
      `flowChunkNumber ${params.flowChunkNumber} is past flowTotalChunks ${params.flowTotalChunks}; chunks count from 1.`,
    );
}

function stored(file: Pick<StoredFile, "id" | "fileName" | "size" | "contentType">, params: FlowParams) {
  return {
    complete: true as const,
    file_uid: file.id,
    flowIdentifier: params.flowIdentifier,
    flowChunkNumber: params.flowChunkNumber,
    file_name: file.fileName,
    size: file.size,
    content_type: file.contentType,
  };
}

/** Query fields under the body's: flow.js sends them in the body, other clients in the URL. */
function paramsOf(request: FastifyRequest): FlowParams {
  return { ...(request.query as object), ...((request.body as object | undefined) ?? {}) } as FlowParams;
}

export async function registerFlowUploadRoute(server: FastifyInstance, ctx: ServerContext): Promise<void> {
  const chunks = createFlowChunkStore({ root: join(ctx.dataDir, "flow-uploads") });

  async function storeFile(id: string, uploader: string, file: AssembledFile): Promise<void> {
    try {
      await ctx.records.commit({
        workspace: ctx.workspace,
        actor: "upload",
        action: "upload",
        runId: crypto.randomUUID(),
        writes: [],
        files: [
          {
            id,
            fileName: file.fileName.slice(0, 200),
            contentType: file.contentType,
            size: file.size,
            sha256: file.sha256,
            sourcePath: file.path,
            uploadedBy: uploader,
          },
        ],
      });
    } finally {
      await rm(file.path, { force: true });
    }
  }

  await server.register(async (scope) => {
    acceptMultipart(scope, MAX_CHUNK_BODY_BYTES);

    scope.get(
      "/api/upload",
      {
        schema: {
          tags: ["files"],
          summary: "flow.js test request: is this chunk already stored?",
          querystring: flowTestQuery,
          response: { 200: flowUploadAnswer, 204: { type: "null", description: "not stored yet: send it" } },
        },
        config: { access: "signed-in" },
      },
      async (request, reply) => {
        const params = request.query as FlowParams;
        const id = flowFileId(request.user.id, params.flowIdentifier);
        const file = await ctx.files.getFile(id);
        if (file) return stored(file, params);
        if (await chunks.has(id, params.flowChunkNumber))
          return {
            complete: false,
            flowIdentifier: params.flowIdentifier,
            flowChunkNumber: params.flowChunkNumber,
          };
        return reply.code(204).send();
      },
    );

    scope.post(
      "/api/upload",
      {
        bodyLimit: MAX_CHUNK_BODY_BYTES,
        schema: {
          tags: ["files"],
          summary: "One chunk of a flow.js multipart upload; the last one stores the file",
          consumes: ["multipart/form-data"],
          body: flowChunkBody,
          response: { 200: flowUploadAnswer },
        },
        config: { access: "signed-in" },
        // flow.js puts its fields in the form; a client may put them in the query string instead.
        preValidation: async (request) => {
          request.body = paramsOf(request);
        },
      },
      async (request, reply) => {
        const params = request.body as FlowParams;
        checkTotals(params);
        const part = filePartOf(request);
        if (!part)
          throw new RuntimeError(
            "bad_request",
            'Send the chunk\'s bytes as a file part of the multipart body (flow.js names it "file").',
          );
        const bytes = new Uint8Array(await part.arrayBuffer());
        if (params.flowCurrentChunkSize !== undefined && params.flowCurrentChunkSize !== bytes.length)
          throw new RuntimeError(
            "bad_request",
            `flowCurrentChunkSize says ${params.flowCurrentChunkSize} bytes but the chunk has ${bytes.length}; send the chunk again.`,
          );
        const uploader = request.user.id;
        const id = flowFileId(uploader, params.flowIdentifier);
        const answered = await chunks.exclusive(id, async () => {
          const existing = await ctx.files.getFile(id);
          if (existing) {
            await chunks.discard(id);
            return stored(existing, params);
          }
          const outcome = await chunks.put(id, {
            number: params.flowChunkNumber,
            totalChunks: params.flowTotalChunks,
            totalSize: params.flowTotalSize,
            fileName: params.flowFilename,
            contentType: part.type && part.type !== "application/octet-stream" ? part.type.slice(0, 200) : "",
            bytes,
          });
          if (!outcome.complete)
            return {
              complete: false as const,
              flowIdentifier: params.flowIdentifier,
              flowChunkNumber: params.flowChunkNumber,
              received: outcome.received,
              totalChunks: outcome.totalChunks,
            };
          const file = {
            ...outcome.file,
            contentType: outcome.file.contentType || "application/octet-stream",
          };
          await storeFile(id, uploader, file);
          await chunks.discard(id);
          return stored({ id, ...file }, params);
        });
        if (answered.complete) reply.header("Comind-File-Uid", answered.file_uid);
        return answered;
      },
    );
  });
}
