/**
 * THE case rule of app aliases: a `publishingAlias` is upper-case (bundle/app-package.ts checks
 * it), and every door that takes an alias from a person (CLI flags, REST paths and bodies, MCP
 * arguments, the console's filters) looks it up in any case through this one function, so
 * `contact`, `Contact` and `CONTACT` name the same app everywhere.
 *
 * @example appAliasKey("helpdesk") // "HELPDESK"
 */
export function appAliasKey(alias: string): string {
  return String(alias).toUpperCase();
}
