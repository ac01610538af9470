/**
 * Recipients of a NotifyContext may be e-mail addresses or user ids (e.g. `assignees_list`,
 * `currentUser.id`): ids are looked up in the store's users and replaced by their e-mail.
 */
import type { LogCapture } from "../host/index.ts";
import type { DirectoryPort } from "../store/index.ts";

const FIELDS = ["to", "cc", "bcc"] as const;

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  return (Array.isArray(value) ? value : String(value).split(/[,;]/))
    .map((entry) => String(entry ?? "").trim())
    .filter(Boolean);
}

/** The context with every user id in to/cc/bcc replaced by that user's e-mail (unknown ones dropped, with a warning). */
export async function withUserEmails(
  context: unknown,
  store: DirectoryPort,
  logs: LogCapture,
): Promise<unknown> {
  if (!context || typeof context !== "object" || Array.isArray(context)) return context;
  const resolved: Record<string, unknown> = { ...(context as Record<string, unknown>) };
  for (const field of FIELDS) {
    if (resolved[field] === undefined) continue;
    const out: string[] = [];
    for (const entry of list(resolved[field])) {
      if (entry.includes("@")) {
        out.push(entry);
        continue;
      }
      const user = await store.directory.findUser(entry);
      if (user?.email)
        out.push(user.name ? `${user.name.replace(/[<>",;]/g, " ").trim()} <${user.email}>` : user.email);
      else
        logs.write(
          "warn",
          `[notification] ${field}: user "${entry.slice(0, 80)}" has no e-mail address; left out.`,
        );
    }
    resolved[field] = out;
  }
  return resolved;
}
