/**
 * Files over the API: GET /api/download/{uuid} streams a stored file; /api/upload-tus is a tus
 * 1.0.0 resumable upload endpoint (@tus/server). A finished upload becomes a stored file whose
 * `file_uid` (the last segment of the upload URL, also sent as `Comind-File-Uid`) can be attached
 * with tickets/multi: `attachments: [{ file_uid, title }]`.
 *
 * Files follow their record (runtime/access `readableFile`): a download is served only to those who
 * may read a record the file is attached to, or to its uploader while no record holds it; anyone
 * else gets the same `not_found` as for a uid that does not exist.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { FileStore } from "@tus/file-store";
import { Server as TusServer } from "@tus/server";
import { create as contentDisposition } from "content-disposition";
import type { FastifyInstance } from "fastify";
import type { UserInfo } from "../../../globals/bridge-contract.ts";
import { readableFile } from "../../access/index.ts";
import { RuntimeError } from "../../errors.ts";
import { fileUidOf } from "../../host/index.ts";
import type { ServerContext } from "../context.ts";
import { MAX_UPLOAD_BYTES } from "../upload-limits.ts";
import { createStallGuard } from "../upload-stall.ts";
import { jsonTusErrors } from "./tus-errors.ts";

const UPLOAD_ID = /^[a-f0-9]{16,64}$/;
/** Where an upload's creator is kept in its tus metadata (set by the server, never by the client). */
const UPLOADER_KEY = "comind_uploader";

/**
 * The signed-in user of each tus request, for tus's hooks. They see a web Request that wraps the
 * Node request (srvx's `runtime.node.req`, which @tus/server itself uses), so the route files the
 * user under the Node request after authentication.
 */
const uploaders = new WeakMap<IncomingMessage, string>();
function uploaderOf(req: Request): string {
  const node = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
  return (node && uploaders.get(node)) ?? "";
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

export function registerFileRoutes(server: FastifyInstance, ctx: ServerContext): void {
  server.get<{ Params: { uuid: string } }>(
    "/api/download/:uuid",
    { schema: { tags: ["files"] }, config: { access: "signed-in" } },
    async (request, reply) => {
      // The id may also be the upload URL it came from (URL-encoded into the path).
      const file = await readableFile(ctx.files, {
        user: request.user,
        workspace: ctx.workspace,
        fileId: fileUidOf(request.params.uuid),
      });
      if (!file) throw new RuntimeError("not_found", `No file ${request.params.uuid.slice(0, 64)}.`);
      const path = await ctx.files.filePath(file.id);
      reply
        .header("content-type", file.contentType)
        .header("content-length", file.size)
        .header("content-disposition", contentDisposition(file.fileName));
      return reply.send(createReadStream(path));
    },
  );

  const uploadDir = join(ctx.dataDir, "uploads");
  const datastore = new FileStore({ directory: uploadDir });
  const tus = new TusServer({
    path: "/api/upload-tus",
    datastore,
    maxSize: MAX_UPLOAD_BYTES,
    namingFunction: () => createHash("sha256").update(crypto.randomUUID()).digest("hex").slice(0, 32),
    // The creator of an upload is its uploader; kept in the upload's metadata until it finishes.
    onUploadCreate: async (req, upload) => ({
      metadata: { ...upload.metadata, [UPLOADER_KEY]: uploaderOf(req) },
    }),
    onUploadFinish: async (_req, upload) => {
      if (!UPLOAD_ID.test(upload.id)) throw { status_code: 400, body: "invalid upload id" };
      const path = join(uploadDir, upload.id);
      const size = (await stat(path)).size;
      const fileName = String(upload.metadata?.filename ?? upload.metadata?.name ?? "upload.bin").slice(
        0,
        200,
      );
      const contentType = String(
        upload.metadata?.filetype ?? upload.metadata?.type ?? "application/octet-stream",
      ).slice(0, 200);
      await ctx.records.commit({
        workspace: ctx.workspace,
        actor: "upload",
        action: "upload",
        runId: upload.id,
        writes: [],
        files: [
          {
            id: upload.id,
            fileName,
            contentType,
            size,
            sha256: await sha256Of(path),
            sourcePath: path,
            uploadedBy: String(upload.metadata?.[UPLOADER_KEY] ?? ""),
          },
        ],
      });
      await rm(path, { force: true });
      return { headers: { "Comind-File-Uid": upload.id } };
    },
  });
  const guardStalls = createStallGuard();
  jsonTusErrors(tus);
  server.addContentTypeParser("application/offset+octet-stream", (_request, _payload, done) => done(null));
  /**
   * An upload in progress belongs to its uploader: another signed-in user who learns its URL may
   * not resume, inspect or cancel it (answered as if it did not exist). Admins may.
   */
  const checkOwner = async (request: { raw: IncomingMessage; user: UserInfo }) => {
    const id = new URL(request.raw.url ?? "/", "http://x").pathname.split("/").pop() ?? "";
    if (!UPLOAD_ID.test(id) || request.user.isGlobalAdmin) return;
    const owner = await datastore.getUpload(id).then(
      (upload) => upload.metadata?.[UPLOADER_KEY] ?? null,
      () => undefined, // no such upload: tus answers that itself
    );
    if (owner !== undefined && owner !== request.user.id)
      throw new RuntimeError("not_found", `No upload ${id}.`);
  };
  const handle = async (
    request: { raw: IncomingMessage; user: UserInfo },
    reply: { hijack(): void; raw: import("node:http").ServerResponse },
  ) => {
    await checkOwner(request);
    reply.hijack();
    uploaders.set(request.raw, request.user.id);
    await guardStalls(request.raw, reply.raw, () => tus.handle(request.raw, reply.raw));
  };
  const tusRoute = (url: string, methods: string[], summary: string) =>
    server.route({
      method: methods,
      url,
      schema: {
        tags: ["files"],
        summary,
        description:
          "tus 1.0.0 resumable upload (headers Tus-Resumable, Upload-Length, Upload-Metadata with filename and filetype; 100 MB max). The finished upload's file_uid is the last segment of its URL, also in the Comind-File-Uid header.",
      },
      config: { access: "signed-in" },
      handler: handle,
    });
  tusRoute("/api/upload-tus", ["POST", "OPTIONS"], "Start a tus upload (answers its URL in Location)");
  tusRoute(
    "/api/upload-tus/:uploadId",
    ["HEAD", "PATCH", "DELETE", "OPTIONS"],
    "An upload in progress: its offset (HEAD), more bytes (PATCH), cancel (DELETE)",
  );
}
