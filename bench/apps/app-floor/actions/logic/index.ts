// The floor benchmark's job (bench/floor.ts, issue 27): the request set c_note; count and hash it.
// bench/floor-server.ts runs the same lines with no sandbox.
import { entity } from "#typings";

function note() {
  entity.c_count = (entity.c_count ?? 0) + 1;
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  const text = `${entity.c_note ?? ""}#${entity.c_count}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  entity.c_hash = hash.toString(16).padStart(8, "0");
}

export default { note } satisfies ActionLogic<typeof entity>;
