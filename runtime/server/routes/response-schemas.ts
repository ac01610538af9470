/**
 * JSON schemas of answers, for /api/openapi.json. Records carry every field at the top level, so
 * their schemas name the fixed keys and let the rest through (`additionalProperties`).
 */
const STRING = { type: "string" } as const;
const INTEGER = { type: "integer" } as const;

export const recordView = {
  type: "object",
  description: "A record: the keys below plus every field (title, state, c_*) at the top level.",
  properties: {
    id: STRING,
    number: INTEGER,
    slug: {
      type: "string",
      description: "the record's reference, workspace/app alias + number (DEMO/HELPDESK12)",
    },
    revision: INTEGER,
    publishing_alias: STRING,
    project_alias: STRING,
    project_id: { type: "string", description: "the workspace's alias again, for older clients" },
    transitions: { type: "array", items: STRING, description: "actions allowed now" },
    is_deleted: {
      type: "boolean",
      description: "only on records deleted after includeDeletedAfter (with id, number, deletion_date)",
    },
    deletion_date: STRING,
  },
  additionalProperties: true,
} as const;

export const listAnswer = {
  description: "A plain array of records, or with withTechnicalData=true an object with counts.",
  anyOf: [
    { type: "array", items: recordView },
    {
      type: "object",
      properties: {
        data: { type: "array", items: recordView },
        filteredRecordsCount: INTEGER,
        unfilteredRecordsCount: INTEGER,
      },
    },
  ],
} as const;

const change = {
  type: "object",
  properties: { field: STRING, old_value: {}, new_value: {} },
} as const;

export const versionsAnswer = {
  type: "array",
  description: "One entry per version, newest first unless sortby says otherwise.",
  items: {
    type: "object",
    description: "The keys below plus the record's field values as of this version.",
    properties: {
      version_id: STRING,
      id: STRING,
      number: INTEGER,
      revision: INTEGER,
      version_timestamp: STRING,
      version_account: STRING,
      transition: STRING,
      comment: STRING,
      changes: { type: "array", items: change },
    },
    additionalProperties: true,
  },
} as const;

export const changedAnswer = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok"] },
    data: { type: "integer", description: "records changed (created, updated) or deleted since sinceTime" },
  },
} as const;

const warning = {
  type: "object",
  properties: {
    message: STRING,
    severity: { type: "integer", description: "1 information, 2 warning, 3 error" },
  },
} as const;

export const multiAnswer = {
  type: "array",
  description:
    "One entry per item, in order. When every item failed the status is the first item's error status instead, with { error, results: [these entries] }.",
  items: {
    type: "object",
    properties: {
      id: { type: "string", description: "the record's id (also data.id)" },
      successful: { type: "boolean" },
      created: { type: "boolean" },
      updated: { type: "boolean" },
      deleted: { type: "boolean" },
      replayed: {
        type: "boolean",
        description: "answered from an earlier commit with the same Idempotency-Key; nothing ran now",
      },
      data: { description: "the record (a delete: { id, number }); null when there is none" },
      warnings: { type: "array", items: warning },
      logs: { type: "array", items: { type: "object", additionalProperties: true } },
      error: { type: "object", additionalProperties: true, description: "{ code, message, stack, logs }" },
      queued: { type: "boolean", description: 'an "async": true item was queued; see GET /api/runs/{runId}' },
      runId: { type: "string" },
    },
    additionalProperties: true,
  },
} as const;

export const searchAnswer = { type: "array", description: "Matching records.", items: recordView } as const;

export const historyAnswer = {
  type: "array",
  description: "History entries, oldest first per record.",
  items: {
    type: "object",
    properties: {
      id: STRING,
      app: STRING,
      revision: INTEGER,
      version_account: STRING,
      version_timestamp: STRING,
      transition: STRING,
      action: STRING,
      comment: { type: ["string", "null"], description: "the note sent with the action (MCP update_record)" },
      changes: { type: "array", items: change },
    },
    additionalProperties: true,
  },
} as const;

const named = {
  type: "object",
  properties: { uid: STRING, name: STRING, caption: STRING, type: STRING },
  additionalProperties: true,
} as const;

export const schemaAnswer = {
  type: "object",
  properties: {
    workspace: STRING,
    app: STRING,
    app_id: STRING,
    titleSingular: STRING,
    titlePlural: STRING,
    fields: { type: "array", items: named },
    actions: { type: "array", items: named },
  },
  additionalProperties: true,
} as const;

export const projectAnswer = {
  type: "object",
  properties: {
    alias: STRING,
    name: STRING,
    apps: {
      type: "array",
      items: {
        type: "object",
        properties: { id: STRING, alias: STRING, titleSingular: STRING, titlePlural: STRING },
        additionalProperties: true,
      },
    },
    current_user_id: STRING,
    workspace_users: {
      type: "array",
      description: "the workspace's users (empty for a caller who may read none of its apps)",
      items: { type: "object", properties: { id: STRING, name: STRING } },
    },
    workspace_details: {
      type: "object",
      properties: { alias: STRING, title: STRING, company_title: STRING },
    },
  },
  additionalProperties: true,
} as const;

export const runAnswer = {
  type: "object",
  description: "The run document (as `run --json`): ok, entity or error, logs, runId, httpCalls.",
  properties: {
    ok: { type: "boolean" },
    runId: STRING,
    entity: { type: "object", additionalProperties: true },
    created: { type: "boolean" },
    logs: { type: "array", items: { type: "object", additionalProperties: true } },
    httpCalls: { type: "array", items: { type: "object", additionalProperties: true } },
    queued: { type: "boolean" },
  },
  additionalProperties: true,
} as const;

/** A flow.js chunk's answer (POST and GET /api/upload). */
export const flowUploadAnswer = {
  type: "object",
  properties: {
    complete: { type: "boolean", description: "true once every chunk arrived and the file is stored" },
    file_uid: { type: "string", description: "the stored file's id: attach it with tickets/multi" },
    flowIdentifier: { type: "string" },
    flowChunkNumber: { type: "integer" },
    received: { type: "integer", description: "chunks stored so far" },
    totalChunks: { type: "integer" },
    file_name: { type: "string" },
    size: { type: "integer" },
    content_type: { type: "string" },
  },
} as const;
