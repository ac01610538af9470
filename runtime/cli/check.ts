/**
 * `comind-runtime check <app-dir>...`: bundles each app and reads its manifest, the same steps
 * `run` and `serve` take, and reports the first problem of each app. Exit 1 if any app fails.
 */
import type { Command } from "commander";
import { loadApp } from "../actions/index.ts";
import { publicError } from "../errors.ts";
import { DEFAULT_LIMITS } from "../sandbox/index.ts";
import { EXIT, writeJson, writeOut } from "./output.ts";

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("bundle apps and validate their fields, actions and imports")
    .argument("<app-dir...>", "app folders")
    .option("--json", "machine-readable output")
    .action(async (dirs: string[], flags: { json?: boolean }) => {
      const reports = [];
      for (const dir of dirs) {
        try {
          const app = await loadApp(dir, DEFAULT_LIMITS.memoryMb);
          reports.push({
            dir,
            ok: true,
            alias: app.alias,
            fields: app.manifest.fields.length,
            actions: app.manifest.actions.map((a) => a.uid),
            secrets: app.manifest.secretNames,
          });
        } catch (error) {
          reports.push({ dir, ok: false, error: publicError(error) });
        }
      }
      if (flags.json) await writeJson({ ok: reports.every((r) => r.ok), apps: reports });
      else {
        await writeOut(
          reports
            .map((r) =>
              r.ok
                ? `✔ ${r.dir}: ${r.alias}, ${r.fields} fields, actions ${r.actions!.join(", ") || "(none)"}${r.secrets!.length ? `, secrets ${r.secrets!.join(", ")}` : ""}`
                : `✖ ${r.dir}: ${r.error!.code}: ${r.error!.message}`,
            )
            .join("\n"),
        );
      }
      process.exitCode = reports.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
    });
}
