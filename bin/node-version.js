// The Node version guard of the `comind-runtime` command. Plain JavaScript that every Node since 12
// parses, so an older Node gets one clear line instead of a syntax or type-stripping error.

/** The Node major version the runtime needs (isolated-vm 6 prebuilds, node:sqlite, type stripping). */
export const NEEDED_MAJOR = 24;

/**
 * The one-line message for a Node that is too old, or null when `found` (e.g. "20.11.1") is recent
 * enough.
 */
export function nodeVersionProblem(found, needed = NEEDED_MAJOR) {
  const major = Number(String(found).replace(/^v/, "").split(".")[0]);
  if (Number.isInteger(major) && major >= needed) return null;
  return `comind-runtime needs Node ${needed} or newer, but this is Node ${String(found).replace(/^v/, "")}: install Node ${needed} or newer (https://nodejs.org) and run it again.`;
}

/** Exits with code 2 (bad usage) and the message when the running Node is too old. */
export function exitUnlessSupportedNode(found = process.versions.node) {
  const problem = nodeVersionProblem(found);
  if (!problem) return;
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
