/**
 * An HTTP server on 127.0.0.1 that holds every request open until the test releases it, and
 * remembers how many it held at once: the logic's outbound call marks when a run is inside.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HeldServer {
  url: string;
  /** Requests that arrived (held or answered). */
  arrived(): number;
  /** The most requests ever held at the same time. */
  maxHeld(): number;
  /** Answers every held request (200) and from now on answers new ones at once too. */
  releaseAll(): void;
  /** Answers the requests held now (200); later ones are held again. */
  releaseHeld(): void;
  close(): Promise<void>;
}

export async function startHeldServer(): Promise<HeldServer> {
  const held = new Set<ServerResponse>();
  let arrived = 0;
  let maxHeld = 0;
  let open = false;
  const answer = (response: ServerResponse) => {
    held.delete(response);
    response.end("ok");
  };
  const server = createServer((_request, response) => {
    arrived++;
    if (open) return void response.end("ok");
    held.add(response);
    maxHeld = Math.max(maxHeld, held.size);
    response.on("close", () => held.delete(response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const releaseAll = () => {
    open = true;
    for (const response of [...held]) answer(response);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    arrived: () => arrived,
    maxHeld: () => maxHeld,
    releaseAll,
    releaseHeld() {
      for (const response of [...held]) answer(response);
    },
    async close() {
      releaseAll();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
