/** The Node major version the runtime needs. */
export declare const NEEDED_MAJOR: number;
/** The command that runs `args` again on Node `needed`, for the way this one was started; null if none. */
export declare function rerunCommand(options?: {
  args?: string[];
  env?: Record<string, string | undefined>;
  binDir?: string;
  needed?: number;
}): string | null;
/** The one-line message for a Node that is too old, or null when `found` is recent enough. */
export declare function nodeVersionProblem(
  found: string,
  options?: { needed?: number; rerun?: string | null },
): string | null;
/** Exits with code 2 and the message when the running Node is too old. */
export declare function exitUnlessSupportedNode(found?: string): void;
/** Exits with code 2 and a message when the optional dependency isolated-vm is not installed. */
export declare function exitUnlessSandboxInstalled(resolve?: (name: string) => string): void;
