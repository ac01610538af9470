/**
 * A TCP proxy between the runtime and Postgres that can cut one connection exactly at COMMIT:
 * `before` drops it before the COMMIT reaches the server (the transaction rolls back), `after`
 * forwards the COMMIT and drops the connection before the answer reaches the client (the
 * transaction committed). Either way the client cannot know: the commit_unknown case.
 */
import { connect, createServer, type Socket } from "node:net";

export interface PgProxy {
  url(database: string, schema?: string): string;
  /** Cut the connection that sends the next COMMIT. Resolves when it was cut. */
  cutAtNextCommit(when: "before" | "after"): Promise<void>;
  close(): Promise<void>;
}

/** A simple-protocol Query message "COMMIT": 'Q', int32 length (4 + 7), "COMMIT\0". */
const COMMIT = Buffer.concat([Buffer.from("Q"), Buffer.from([0, 0, 0, 11]), Buffer.from("COMMIT\0")]);

export async function startPgProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<PgProxy> {
  let armed: { when: "before" | "after"; done: () => void } | null = null;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    let cutting = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      const trap = armed;
      if (trap && chunk.includes(COMMIT)) {
        armed = null;
        if (trap.when === "before") {
          cut();
          trap.done();
          return;
        }
        cutting = true;
        upstream.write(chunk);
        upstream.once("data", () => {
          cut();
          trap.done();
        });
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!cutting) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on("error", () => cut());
      socket.on("close", () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (database, schema) =>
      `postgres://postgres@127.0.0.1:${port}/${database}${schema ? `?options=-c%20search_path%3D${schema}` : ""}`,
    cutAtNextCommit: (when) => new Promise<void>((done) => (armed = { when, done })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
