/**
 * Why `serve` / `dev` could not listen, as one line that names the port or address and the flag
 * (and variable) that changes it, instead of `unexpected error: listen EADDRINUSE …`.
 *
 * @example
 *   await server.listen({ port, host }).catch((error) => { throw listenFailure(error, { port, host }); });
 *   // port_in_use: Port 8080 on 127.0.0.1 is already in use by another process: start with --port <n> (or PORT=<n>), or stop that process.
 */
import { RuntimeError } from "../errors.ts";

export interface ListenAddress {
  port: number;
  host: string;
}

/** The error as it should reach the user; errors other than the three known ones pass unchanged. */
export function listenFailure(error: unknown, { port, host }: ListenAddress): unknown {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "EADDRINUSE":
      return new RuntimeError(
        "port_in_use",
        `Port ${port} on ${host} is already in use by another process: start with --port <n> (or PORT=<n>), or stop that process.`,
      );
    case "EACCES":
      return new RuntimeError(
        "port_forbidden",
        `Port ${port} needs privileges this user does not have: start with a port from 1024 up, e.g. --port 8080 (or PORT=8080).`,
      );
    case "EADDRNOTAVAIL":
      return new RuntimeError(
        "host_unavailable",
        `Cannot listen on ${host}: it is not an address of this machine; start with --host 127.0.0.1 (or HOST=0.0.0.0 for every interface).`,
      );
    default:
      return error;
  }
}
