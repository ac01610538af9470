/**
 * People named the way a person writes them ("Alice Smith", an e-mail, or a user id) -> user ids,
 * for person fields, people filters and `version_account`. One directory read per tool call.
 */
import { RuntimeError } from "../../errors.ts";
import type { StoredUser } from "../../store/index.ts";
import type { ServerContext } from "../context.ts";

export class People {
  private users: Promise<StoredUser[]> | null = null;
  private readonly ctx: ServerContext;
  /** The caller, known by id even when the directory has no entry for it (token users). */
  private readonly selfId: string;

  constructor(ctx: ServerContext, selfId: string) {
    this.ctx = ctx;
    this.selfId = selfId;
  }

  private all(): Promise<StoredUser[]> {
    this.users ??= this.ctx.directory.directory.listUsers();
    return this.users;
  }

  /** Every known user's id -> display name. */
  async names(): Promise<Map<string, string>> {
    return new Map((await this.all()).map((user) => [user.id, user.name]));
  }

  /** The user's display name, or the id itself when the directory does not know the user. */
  async nameOf(id: string): Promise<string> {
    return (await this.all()).find((user) => user.id === id)?.name ?? id;
  }

  /** @throws RuntimeError validation_error when no user, or more than one, goes by that name */
  async idOf(text: string, what: string): Promise<string> {
    const wanted = String(text).trim();
    const lower = wanted.toLowerCase();
    const users = await this.all();
    const byId = users.find((user) => user.id === wanted);
    if (byId || wanted === this.selfId) return wanted;
    const byEmail = users.find((user) => user.email === lower);
    if (byEmail) return byEmail.id;
    const byName = users.filter((user) => user.name.trim().toLowerCase() === lower);
    if (byName.length === 1) return byName[0].id;
    if (byName.length > 1)
      throw new RuntimeError(
        "validation_error",
        `${what}: "${wanted.slice(0, 80)}" is the name of ${byName.length} users (ids ${byName.map((u) => u.id).join(", ")}); give the e-mail or user id instead.`,
      );
    throw new RuntimeError(
      "validation_error",
      `${what}: no user is called "${wanted.slice(0, 80)}"; name people by full name, e-mail or user id.`,
    );
  }
}
