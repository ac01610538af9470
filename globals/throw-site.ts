/**
 * Where the action last executed a `throw` statement. The build marks each throw statement of
 * the app (`throw __comindThrowSite(), X`, runtime/bundle/throw-sites.ts), and the runner reports
 * this stack for a thrown string or plain object, which has none of its own, so the error still
 * points at a TypeScript line. Module state, new for every action (see platform-globals.ts).
 */
let site: string | undefined;

export function markThrowSite(): void {
  site = new Error("thrown here").stack;
}

/** The stack of the last marked throw of this action, if any ran. */
export function lastThrowSite(): string | undefined {
  return site;
}
