/** Bundling of app folders (esbuild) and of the in-isolate globals. */
export { BuildError, buildApp, codeFrameOf, type AppBuild, type BuildOptions } from "./build.ts";
export { globalsScript } from "./globals-bundle.ts";
export { readAppPackage, type AppPackage } from "./app-package.ts";
export type { SavedList } from "./saved-lists.ts";
export { isPluginOnly, pluginOnlyName } from "./layers.ts";
export { SECRET_PREFIX } from "./secret-names.ts";
export { inlineSourceMap } from "./inline-map.ts";
