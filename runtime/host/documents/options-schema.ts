/**
 * The options of the document helpers' thread pool (`documents` of createActionRuntime,
 * `--max-image-pixels`): a zod schema, the DocumentPoolOptions type inferred from it. A bad value
 * is refused (bad_request naming it) instead of quietly falling back to the default.
 */
import { z } from "zod";
import { numberIn, parseConfig } from "../../config-schema.ts";

/** Accepted ranges; the defaults are CONTENT_LIMITS.imagePixels and .threadHeapMb. */
export const DOCUMENT_RANGES = {
  maxImagePixels: { min: 1, max: 1_000_000_000, whole: true },
  threadHeapMb: { min: 16, max: 65_536, whole: true },
} as const;

export const documentPoolOptionsSchema = z.strictObject({
  /** Width × height of one image `writePdfFileRef` draws (default 40,000,000). */
  maxImagePixels: numberIn(DOCUMENT_RANGES.maxImagePixels).optional(),
  /** V8 heap of one worker thread, MB (default 1024). */
  threadHeapMb: numberIn(DOCUMENT_RANGES.threadHeapMb).optional(),
});

export type DocumentPoolOptions = z.infer<typeof documentPoolOptionsSchema>;

export function parseDocumentPoolOptions(raw: unknown = {}): DocumentPoolOptions {
  return parseConfig(documentPoolOptionsSchema, raw, "bad_request", "documents");
}
