import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

// The folder rules of docs/architecture.md, "Project layout", checked on the source: every folder of
// runtime/ is reached by the others only through its index.ts, and routes do not import routes.
const RUNTIME = resolve(import.meta.dirname, "..", "runtime");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((match) => resolve(dirname(file), match[1]));
}

/** "actions" for runtime/actions/x.ts, null for runtime/errors.ts (top-level modules are shared). */
const folderOf = (file: string) => {
  const parts = relative(RUNTIME, file).split(sep);
  return parts.length > 1 ? parts[0] : null;
};

describe("architecture", () => {
  const files = sourceFiles(RUNTIME);

  it("imports another runtime folder only through its index.ts", () => {
    const violations = files.flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(RUNTIME + sep))
        .filter((target) => {
          const folder = folderOf(target);
          return folder !== null && folder !== folderOf(file) && target !== join(RUNTIME, folder, "index.ts");
        })
        .map((target) => `${relative(RUNTIME, file)} -> ${relative(RUNTIME, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it("keeps server route modules (the ones that register routes) from importing each other", () => {
    const routes = join(RUNTIME, "server", "routes");
    const isRouteModule = (file: string) =>
      dirname(file) === routes && /export (async )?function register[A-Z]/.test(readFileSync(file, "utf8"));
    const routeModules = files.filter(isRouteModule);
    expect(routeModules.length).toBeGreaterThan(3);
    const violations = routeModules.flatMap((file) =>
      relativeImports(file)
        .filter((target) => routeModules.includes(target))
        .map((target) => `${relative(RUNTIME, file)} -> ${relative(RUNTIME, target)}`),
    );
    expect(violations).toEqual([]);
  });

  /**
   * The layers, top to bottom: a folder may import only folders of a LOWER layer, never one of its
   * own layer or above, so no import climbs back up and no circle between folders can form.
   */
  const LAYERS: string[][] = [
    ["cli"],
    ["server", "testing", "mock", "mail-in"],
    ["jobs"],
    ["runs"],
    ["actions"],
    ["notify", "sandbox"],
    ["host"],
    ["queue", "bundle"],
    ["access", "rlx"],
    ["store"],
    ["metrics"],
  ];
  const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

  it("places every runtime folder in a layer", () => {
    const folders = readdirSync(RUNTIME, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => layerOf(folder) < 0)).toEqual([]);
  });

  it("imports only folders of lower layers (no import climbs back up, no circle)", () => {
    const violations = files.flatMap((file) => {
      const from = folderOf(file);
      if (from === null) return [];
      return relativeImports(file)
        .filter((target) => target.startsWith(RUNTIME + sep))
        .filter((target) => {
          const to = folderOf(target);
          return to !== null && to !== from && layerOf(to) <= layerOf(from);
        })
        .map((target) => `${relative(RUNTIME, file)} -> ${relative(RUNTIME, target)}`);
    });
    expect(violations).toEqual([]);
  });

  /**
   * The store's database is reached from outside the store only through its queue-storage port,
   * and only by the queue (docs/architecture.md, "Store ports"): no other folder gets a raw
   * connection to write the store's tables behind its back.
   */
  it("lets only runtime/queue reach the store's database (queueStorage), and nothing a raw handle", () => {
    const outside = files.filter((file) => !["store", "queue"].includes(folderOf(file) ?? ""));
    const violations = outside
      .filter((file) => /\.queueStorage\b|\bQueueStorage\b/.test(readFileSync(file, "utf8")))
      .map((file) => relative(RUNTIME, file));
    expect(violations).toEqual([]);
    const handles = files
      .filter((file) => /\bstore\??\.handle\b/.test(readFileSync(file, "utf8")))
      .map((file) => relative(RUNTIME, file));
    expect(handles).toEqual([]);
    // not vacuous: the queue does use the port
    expect(readFileSync(join(RUNTIME, "queue", "index.ts"), "utf8")).toMatch(/store\.queueStorage/);
  });

  /**
   * The routes see the store's ports one by one (server/context.ts), so what a route reads is typed
   * by the ports it names; the whole Store is handed over only where the server is assembled.
   */
  it("keeps the Store type out of runtime/server except where the server is assembled", () => {
    const assembly = ["index.ts", "options-schema.ts"].map((name) => join(RUNTIME, "server", name));
    const storeType = /import\s+(?:type\s+)?\{[^}]*\bStore\b[^}]*\}\s+from\s+"[^"]*\/store\/index\.ts"/;
    const violations = files
      .filter((file) => folderOf(file) === "server" && !assembly.includes(file))
      .filter((file) => storeType.test(readFileSync(file, "utf8")))
      .map((file) => relative(RUNTIME, file));
    expect(violations).toEqual([]);
    // not vacuous: the assembly's options do name the whole Store
    expect(readFileSync(assembly[1], "utf8")).toMatch(storeType);
  });

  it("finds imports at all (the checks above are not vacuous)", () => {
    expect(relativeImports(join(RUNTIME, "server", "routes", "tickets.ts")).length).toBeGreaterThan(3);
  });
});
