/**
 * get_asset: a stored file by its uuid (`cmwid:<uuid>` as descriptions embed it, or an upload URL)
 * or by its attachment slug `DEMO/ATTACHMENT31` (files are numbered in the order they were stored).
 * Files follow their record: one the caller may not read is "not found", like a wrong id.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { readableFile } from "../../access/index.ts";
import { ATTACHMENT_REF_APP, formatRecordRef, parseRecordRef } from "../../actions/index.ts";
import { RuntimeError } from "../../errors.ts";
import { fileUidOf } from "../../host/index.ts";
import type { ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";
import { defineTool, type ToolContent } from "./tool.ts";

/** Files up to this size come back inline (base64) from get_asset. */
export const MAX_EMBEDDED_ASSET_BYTES = 1024 * 1024;

/** The file id a content id names (null: an attachment slug of no stored file). */
async function fileIdOf(ctx: ServerContext, contentId: string): Promise<string | null> {
  const ref = parseRecordRef(contentId, ctx.workspace, []);
  if (ref?.app === ATTACHMENT_REF_APP) {
    if (ref.workspace !== ctx.workspace.toUpperCase()) return null;
    return (await ctx.files.findFileByNumber(ref.number))?.id ?? null;
  }
  return fileUidOf(contentId.trim().replace(/^cmwid:/i, ""));
}

async function asset(ctx: ServerContext, caller: Caller, contentId: string): Promise<ToolContent> {
  const fileId = await fileIdOf(ctx, contentId);
  const file = fileId
    ? await readableFile(ctx.files, { user: caller.user, workspace: ctx.workspace, fileId })
    : null;
  if (!file)
    throw new RuntimeError(
      "not_found",
      `No file ${contentId.slice(0, 64)}; name it by its uuid or its attachment slug (${ctx.workspace}/ATTACHMENT31, as get_record shows it).`,
    );
  const meta = {
    file_uid: file.id,
    slug: file.number ? formatRecordRef(ctx.workspace, ATTACHMENT_REF_APP, file.number) : null,
    name: file.fileName,
    content_type: file.contentType,
    size: file.size,
    sha256: file.sha256,
    created_at: file.createdAt,
    download_url: `${caller.baseUrl}/api/download/${file.id}`,
    embedded: file.size <= MAX_EMBEDDED_ASSET_BYTES,
  };
  if (!meta.embedded) return { json: meta };
  const bytes = await readFile(await ctx.files.filePath(file.id));
  const resource = { uri: `comind://files/${file.id}`, mimeType: file.contentType };
  // Text comes back as text (a model reads it directly); anything else as base64.
  const content = /^text\/|json|xml|csv/i.test(file.contentType)
    ? { ...resource, text: bytes.toString("utf8") }
    : { ...resource, blob: bytes.toString("base64") };
  return { json: meta, extra: [{ type: "resource", resource: content }] };
}

export const getAsset = defineTool({
  name: "get_asset",
  title: "Get a stored file",
  description: `A stored file (image, attachment) by its uuid or its attachment slug (e.g. DEMO/ATTACHMENT31): name, content type and size, and its content when it is at most ${MAX_EMBEDDED_ASSET_BYTES / 1024} KB (text as text, anything else as base64); larger ones have a download_url.`,
  args: z.strictObject({
    content_id: z
      .string()
      .min(1)
      .max(1000)
      .describe(
        "A file's uuid (from [image: cmwid:<uuid>] or an attachment's file_uid) or an attachment slug \"DEMO/ATTACHMENT31\".",
      ),
  }),
  renamed: { file_uid: '"content_id"', id: '"content_id"' },
  readOnly: true,
  run: async (ctx, caller, args) => asset(ctx, caller, args.content_id),
});
