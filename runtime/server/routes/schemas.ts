/** JSON schemas of request bodies: validation at the edge and the source of /api/openapi.json. */
import { LAYOUT_MEDIA_PARAM } from "../list-params.ts";
import { MAX_FLOW_CHUNKS, MAX_UPLOAD_BYTES } from "../upload-limits.ts";

const FIELD = { type: "string", maxLength: 64 } as const;

export const searchBody = {
  type: "object",
  properties: {
    query: { type: "string", maxLength: 1000 },
    text: { type: "string", maxLength: 1000 },
    app_alias: FIELD,
    limitRecords: { type: "integer", minimum: 1, maximum: 1000 },
    skipRecords: { type: "integer", minimum: 0, maximum: 1_000_000_000 },
  },
} as const;

export const historyBody = {
  type: "object",
  properties: {
    id: { type: "string", maxLength: 100 },
    ids: { type: "array", items: { type: "string", maxLength: 100 }, maxItems: 100 },
    since: { type: "string", maxLength: 40 },
    limit: { type: "integer", minimum: 1, maximum: 1000 },
  },
} as const;

export const multiBody = {
  type: "array",
  maxItems: 100,
  items: {
    type: "object",
    description: 'No "transition": an "id" means edit, an "app_alias" without "id" means add.',
    properties: {
      transition: { type: "string", minLength: 1, maxLength: 64 },
      id: { type: "string", maxLength: 100 },
      ids: { type: "array", minItems: 1, maxItems: 1000, items: { type: "string", maxLength: 100 } },
      app_alias: FIELD,
      workspace_alias: FIELD,
    },
    additionalProperties: true,
  },
} as const;

export const actionBody = {
  type: "object",
  properties: {
    id: { type: "string", maxLength: 100 },
    ids: { type: "array", minItems: 1, maxItems: 1000, items: { type: "string", maxLength: 100 } },
    values: { type: "object", additionalProperties: true },
  },
} as const;

/** tickets/multi's query string: flags older clients send (docs/rest-api.md, "Legacy forms"). */
export const multiQuery = {
  type: "object",
  properties: {
    check_conflict: {
      type: "string",
      maxLength: 10,
      description:
        "1 asks for the conflict check on edits; every edit item that carries `revision` gets it, with or without this flag",
    },
    layout_media: LAYOUT_MEDIA_PARAM,
  },
  additionalProperties: true,
} as const;

const COUNT = { type: "integer", minimum: 1, maximum: MAX_FLOW_CHUNKS } as const;
const flowFields = {
  flowChunkNumber: { ...COUNT, description: "this chunk, from 1" },
  flowTotalChunks: COUNT,
  flowChunkSize: { type: "integer", minimum: 0, description: "accepted, not needed" },
  flowCurrentChunkSize: {
    type: "integer",
    minimum: 0,
    description: "bytes in this chunk (checked when sent)",
  },
  flowTotalSize: {
    type: "integer",
    minimum: 0,
    description: `the whole file, at most ${MAX_UPLOAD_BYTES} bytes`,
  },
  flowIdentifier: {
    type: "string",
    minLength: 1,
    maxLength: 500,
    description: "names the file (per uploader)",
  },
  flowFilename: { type: "string", minLength: 1, maxLength: 1000 },
  flowRelativePath: { type: "string", maxLength: 2000, description: "accepted, not used" },
} as const;
const REQUIRED = ["flowChunkNumber", "flowTotalChunks", "flowTotalSize", "flowIdentifier", "flowFilename"];

/** One chunk of a flow.js upload (POST /api/upload, multipart/form-data). */
export const flowChunkBody = {
  type: "object",
  properties: {
    ...flowFields,
    file: { type: "string", format: "binary", description: "the chunk's bytes (any part name)" },
  },
  required: REQUIRED,
  additionalProperties: true,
} as const;

/** flow.js's test request (GET /api/upload): is this chunk stored? */
export const flowTestQuery = {
  type: "object",
  properties: flowFields,
  required: ["flowChunkNumber", "flowIdentifier"],
} as const;
