// The Node version guard of the `comind-runtime` command. Plain JavaScript that every Node since 12
// parses, so an older Node gets one clear line instead of a syntax or type-stripping error. The
// line also says how to run the same command on Node 24, which depends on how it was started.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The Node major version the runtime needs (isolated-vm 6 prebuilds, node:sqlite, type stripping). */
export const NEEDED_MAJOR = 24;

const BIN_DIR = realpathSync(fileURLToPath(new URL(".", import.meta.url)));

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
function shellWord(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${String(word).replace(/'/g, "'\\''")}'`;
}

/** The isolated-vm range this package asks for (an optional dependency, see below). */
export function sandboxRange(binDir = BIN_DIR) {
  try {
    const own = JSON.parse(readFileSync(`${binDir}/../package.json`, "utf8"));
    return Object.assign({ "isolated-vm": "6" }, own.optionalDependencies)["isolated-vm"];
  } catch {
    return "6";
  }
}

/**
 * The command that runs `args` again on Node `needed`, for the way this one was started. npm
 * itself must run on that Node too: npm on an older Node skips the optional isolated-vm (its
 * `engines` say >=22) even when the command will run on Node 24.
 * - from a clone (the sources are beside bin/): its `npm install` pins Node 24, `npx` uses it;
 * - by `npx` from the npm cache (a tarball, the registry): `npx -p node@24` runs the same `npx`
 *   command with npm and the command on Node 24;
 * - installed in a project: pin Node 24 there and depend on isolated-vm directly (a required
 *   dependency is installed by any npm; its build then runs on the pinned Node);
 * - otherwise (a global install): null, the user installs Node 24.
 */
export function rerunCommand({ args = [], env = {}, binDir = BIN_DIR, needed = NEEDED_MAJOR } = {}) {
  const rest = args.map(shellWord).join(" ");
  const command = rest ? `comind-runtime ${rest}` : "comind-runtime";
  if (existsSync(`${binDir}/../runtime/cli/index.ts`)) return `npm install in the clone, then npx ${command}`;
  if (env.npm_command === "exec" && /[/\\]_npx[/\\]/.test(binDir)) {
    const yes = env.npm_config_yes === "true" ? "--yes " : "";
    const packages = String(env.npm_config_package || "")
      .split(/\n+/)
      .filter((spec) => spec && !/^node@/.test(spec))
      .map((spec) => `-p ${shellWord(spec)} `);
    return `npx ${yes}-p node@${needed} npx ${yes}${packages.join("")}${command}`;
  }
  if (/[/\\]node_modules[/\\]/.test(binDir))
    return `npm install node@${needed} ${shellWord(`isolated-vm@${sandboxRange(binDir)}`)} && npx ${command}`;
  return null;
}

/**
 * The one-line message for a Node that is too old, or null when `found` (e.g. "20.11.1") is recent
 * enough. `rerun` is the command that runs it on Node `needed` (see rerunCommand).
 */
export function nodeVersionProblem(found, { needed = NEEDED_MAJOR, rerun = null } = {}) {
  const version = String(found).replace(/^v/, "");
  const major = Number(version.split(".")[0]);
  if (Number.isInteger(major) && major >= needed) return null;
  const how = rerun
    ? `run it with Node ${needed}: ${rerun}`
    : `install Node ${needed} or newer (https://nodejs.org), then install comind-runtime again with it.`;
  return `comind-runtime needs Node ${needed} or newer, but this is Node ${version}; ${how}`;
}

/** Exits with code 2 (bad usage) and the message when the running Node is too old. */
export function exitUnlessSupportedNode(found = process.versions.node) {
  const problem = nodeVersionProblem(found, {
    rerun: rerunCommand({ args: process.argv.slice(2), env: process.env }),
  });
  if (!problem) return;
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

/**
 * isolated-vm is an optional dependency so that an install by npm on an older Node completes (npm
 * skips it there, as its `engines` say >=22; as a required dependency its failing build failed
 * the whole install) and the version guard above can speak. On Node 24 a missing isolated-vm means
 * npm ran on an older Node or its build failed: say so instead of a module-not-found stack.
 */
export function exitUnlessSandboxInstalled(resolve = (name) => import.meta.resolve(name)) {
  try {
    resolve("isolated-vm");
  } catch {
    process.stderr.write(
      `comind-runtime cannot find its sandbox, the package isolated-vm: npm leaves it out when npm itself runs on a Node older than 22 or when its build fails. Install again with npm on Node ${NEEDED_MAJOR} (a project can list isolated-vm@${sandboxRange()} in its own dependencies, as \`init --workspace\` does) and read what npm says about isolated-vm.\n`,
    );
    process.exit(2);
  }
}
