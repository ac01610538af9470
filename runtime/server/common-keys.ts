/**
 * The keys of GET /api/common that Comind clients read at the top level (`user_id`, `user_name`,
 * `tz`, `company`) next to this server's own `user` object.
 */
import type { UserInfo as CurrentUser } from "../../globals/bridge-contract.ts";
import type { ServerContext } from "./context.ts";

/** The user's IANA time zone when the identity provider sent one (OIDC `zoneinfo`), else UTC. */
export function timeZoneOf(user: CurrentUser): string {
  const zone = user.timeZone;
  if (typeof zone !== "string" || zone === "") return "UTC";
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return "UTC";
  }
}

export function clientKeys(ctx: ServerContext, user: CurrentUser) {
  return {
    user_id: user.id,
    user_name: user.name,
    tz: timeZoneOf(user),
    /** The company is the workspace this server serves (one tenant per server). */
    company: ctx.workspace,
  };
}

const STRING = { type: "string" } as const;

export const commonAnswer = {
  type: "object",
  properties: {
    user: {
      type: "object",
      properties: {
        id: STRING,
        name: STRING,
        email: { type: ["string", "null"] },
        is_admin: { type: "boolean" },
      },
    },
    user_id: STRING,
    user_name: STRING,
    tz: { type: "string", description: "the user's IANA time zone, UTC when unknown" },
    company: STRING,
    timezone: STRING,
    server: { type: "object", additionalProperties: true },
  },
} as const;
