/** The limits of both upload routes (tus: routes/files.ts, flow.js: routes/flow-upload.ts), in one place. */

/** The largest file either route takes. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** The largest flow.js chunk: its multipart body is parsed in memory. */
export const MAX_FLOW_CHUNK_BYTES = 16 * 1024 * 1024;

/** The most chunks one flow.js upload may have. */
export const MAX_FLOW_CHUNKS = 10_000;

/** A flow.js upload with no new chunk for this long expires. */
export const FLOW_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
