/**
 * `comind-runtime mock crm [--port 4000] [--api-key KEY] [--detach]`: the CRM that the README's
 * `sync_contacts` walkthrough calls, on 127.0.0.1 until Ctrl-C, or with --detach in the
 * background (the command returns once it listens and prints its process id).
 */
import type { Command } from "commander";
import { startMockCrm } from "../mock/index.ts";
import { startDetached } from "./detach.ts";
import { withHelp } from "./help.ts";
import { CLI_RANGES, numberOption } from "./option-schema.ts";
import { UsageError, writeErr, writeJson, writeOut } from "./output.ts";

export function registerMock(program: Command): void {
  const mock = program.command("mock").description("run a mock third-party API on 127.0.0.1");
  const crm = mock
    .command("crm")
    .description("the CRM of seed 001 (GET /api/v2/contacts with X-API-Key) for `run ... sync_contacts`")
    .addOption(numberOption("--port", "port (0 = any free port)", CLI_RANGES.port).default(4000))
    .option("--api-key <key>", "the X-API-Key it accepts", "your-key")
    .option("--json", "print { url, apiKey } as JSON once it listens")
    .option(
      "--detach",
      "run in the background: return once it listens, print its process id (stop: kill <id>)",
    );
  withHelp(crm, {
    exitCodes: {
      0: "stopped by Ctrl-C / SIGTERM (with --detach: listening in the background)",
      2: "bad usage, or the port is taken",
    },
    examples: [
      "npx comind-runtime mock crm --port 4000 --api-key your-key",
      "MOCK=$(npx comind-runtime mock crm --port 4000 --detach) && ... && kill $MOCK",
    ],
  });
  crm.action(async (flags: { port: number; apiKey: string; json?: boolean; detach?: boolean }) => {
    if (flags.detach) {
      const { pid, ready } = await startDetached<{ url: string; apiKey: string }>([
        "mock",
        "crm",
        "--port",
        String(flags.port),
        "--api-key",
        flags.apiKey,
      ]);
      if (flags.json) return writeJson({ ...ready, pid });
      // The id alone on stdout, for MOCK=$(...); the sentence on stderr, for the person.
      await writeErr(
        `Mock CRM on ${ready.url} (X-API-Key: ${ready.apiKey}) in the background, process ${pid}: stop it with kill ${pid}`,
      );
      return writeOut(String(pid));
    }
    let server: Awaited<ReturnType<typeof startMockCrm>>;
    try {
      server = await startMockCrm({ apiKey: flags.apiKey, port: flags.port });
    } catch (error) {
      throw new UsageError(
        `Cannot listen on 127.0.0.1:${flags.port} (${(error as NodeJS.ErrnoException).code ?? "error"}): pick another --port.`,
      );
    }
    if (flags.json) await writeJson({ url: server.url, apiKey: server.apiKey });
    else
      await writeOut(
        `Mock CRM on ${server.url} (X-API-Key: ${server.apiKey}, ${server.contacts.length} contacts). Ctrl-C stops it.`,
      );
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
  });
  withHelp(mock, {
    exitCodes: { 2: "no mock named" },
    examples: ["npx comind-runtime mock crm --port 4000"],
  });
}
