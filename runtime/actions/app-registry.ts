/**
 * The installed apps of a runtime, by alias. Lookups follow the one case rule (app-alias.ts):
 * `apps.get("helpdesk")` finds HELPDESK, so no caller (REST, MCP, console, CLI, logic, jobs) can
 * forget to normalise an alias a person typed. Keys stay the canonical upper-case aliases.
 */
import { appAliasKey } from "../app-alias.ts";
import type { LoadedApp } from "./app-loader.ts";

export class AppRegistry extends Map<string, LoadedApp> {
  override get(alias: string): LoadedApp | undefined {
    return super.get(appAliasKey(alias));
  }

  override has(alias: string): boolean {
    return super.has(appAliasKey(alias));
  }

  override set(alias: string, app: LoadedApp): this {
    return super.set(appAliasKey(alias), app);
  }

  override delete(alias: string): boolean {
    return super.delete(appAliasKey(alias));
  }
}
