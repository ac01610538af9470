/** The Node major version the runtime needs. */
export declare const NEEDED_MAJOR: number;
/** The one-line message for a Node that is too old, or null when `found` is recent enough. */
export declare function nodeVersionProblem(found: string, needed?: number): string | null;
/** Exits with code 2 and the message when the running Node is too old. */
export declare function exitUnlessSupportedNode(found?: string): void;
