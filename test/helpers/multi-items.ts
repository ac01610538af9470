/**
 * The per-item answers of a tickets/multi call: the body itself when some item succeeded (200),
 * `results` when every item failed (the batch then answers the first item's error status).
 */
export function multiItems(body: unknown): any[] {
  return Array.isArray(body) ? body : ((body as { results?: unknown[] }).results ?? []);
}
