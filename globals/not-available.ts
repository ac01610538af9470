/**
 * Globals that Node or a browser has and action logic must not use, with what to use instead.
 * bootstrap.ts installs each as a function that throws this advice (for a use the build cannot
 * see, e.g. `globalThis["fetch"]`); the build refuses every plain use with its file:line
 * (runtime/bundle/refused-globals.ts), as it refuses every other global the sandbox lacks.
 */
export const NOT_AVAILABLE: Readonly<Record<string, { call: string; instead: string }>> = Object.freeze({
  fetch: Object.freeze({ call: "fetch()", instead: "RestApi" }),
  XMLHttpRequest: Object.freeze({ call: "XMLHttpRequest", instead: "RestApi" }),
  require: Object.freeze({ call: "require()", instead: "import at the top of the file" }),
});
