/**
 * The parameters of list-style reads (tickets/list, tickets/history, tickets/changed) and the ONE
 * schema that validates them whether they arrive as a JSON body, a query string (GET) or a
 * form-encoded body. Query strings and forms carry numbers and booleans as text; the validator
 * coerces them. Parameter names are matched without regard to case (`sortby` is `sortBy`).
 */
import type { FastifyRequest } from "fastify";

export interface ListParams {
  rlx?: string;
  limitRecords?: number;
  skipRecords?: number;
  sortBy?: string;
  listOfFields?: string;
  withTechnicalData?: boolean;
  /** ISO time: also answer the records deleted after it, marked `is_deleted: true`. */
  includeDeletedAfter?: string;
  /** ISO time for tickets/changed. */
  sinceTime?: string;
}

/** Flags clients send that mean nothing here; any short value (true, 1, "yes") is accepted. */
const FLAG = { type: "string", maxLength: 20 } as const;
const ISO_TIME = {
  type: "string",
  maxLength: 40,
  description: "ISO 8601 time, e.g. 2026-01-31T12:00:00Z",
} as const;

/** Legacy clients send the UI layout they show (`layout_media=ui-form`); accepted and ignored. */
export const LAYOUT_MEDIA_PARAM = {
  type: "string",
  maxLength: 64,
  description: "accepted, no effect here (a UI layout name)",
} as const;

export const listParamsSchema = {
  type: "object",
  properties: {
    rlx: { type: "string", maxLength: 10_000, description: 'filter, e.g. c_email~"acme" AND state="open"' },
    limitRecords: { type: "integer", minimum: 0, maximum: 1000 },
    skipRecords: { type: "integer", minimum: 0, maximum: 1_000_000_000 },
    sortBy: { type: "string", maxLength: 200, description: '"update_date desc"; also spelled sortby' },
    listOfFields: { type: "string", maxLength: 2000, description: '"ALL" or "title,c_email"' },
    withTechnicalData: { type: "boolean" },
    includeDeletedAfter: ISO_TIME,
    sinceTime: ISO_TIME,
    skipAncestors: { ...FLAG, description: "accepted, no effect here" },
    loadRichTexts: { ...FLAG, description: "accepted, no effect here" },
    expandRecord: { ...FLAG, description: "accepted, no effect here" },
    lm: { ...FLAG, description: "accepted, no effect here" },
    layout_media: LAYOUT_MEDIA_PARAM,
  },
  additionalProperties: true,
} as const;

const CANONICAL = new Map(Object.keys(listParamsSchema.properties).map((name) => [name.toLowerCase(), name]));

/** `{ sortby, LIMITRECORDS }` -> `{ sortBy, limitRecords }`; unknown keys stay as they are. */
export function canonicalParams(input: unknown): Record<string, unknown> | undefined {
  if (!input || typeof input !== "object" || Array.isArray(input)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = CANONICAL.get(key.toLowerCase()) ?? key;
    if (!(name in out) || name === key) out[name] = value;
  }
  return out;
}

/** preValidation hook: parameter names are made canonical before the schema sees them. */
export async function canonicalizeListParams(request: FastifyRequest): Promise<void> {
  const query = canonicalParams(request.query);
  if (query) request.query = query;
  const body = canonicalParams(request.body);
  if (body) request.body = body;
}

/** What a list request asked for: the body's parameters over the query string's. */
export function listParams(request: FastifyRequest): ListParams {
  return { ...(request.query as ListParams), ...((request.body as ListParams | undefined) ?? {}) };
}
