/**
 * Token lookups are cached for a second: one store read per token per second instead of one per
 * request, and a token deleted from the store stops working within that second. The caller's
 * profile, groups and admin rights (three directory reads) are kept for the same second.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedUserResolver } from "../../runtime/access/index.ts";
import { createAuthenticator, createToken, TOKEN_CACHE_MS } from "../../runtime/server/auth.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";

let dataDir: string;
let store: Store;
let lookups = 0;
let counting: Store;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "comind-auth-"));
  store = await openStore({ dataDir });
  counting = {
    ...store,
    findToken: (hash: string) => {
      lookups += 1;
      return store.findToken(hash);
    },
  };
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("token cache", () => {
  it("reads the store once for many requests with the same token", async () => {
    const token = await createToken(store, { id: "ann", name: "Ann" });
    const authenticate = createAuthenticator(counting);
    const before = lookups;
    for (let i = 0; i < 50; i++)
      expect(await authenticate(`CMW_AUTH_CODE ${token}`)).toEqual({
        id: "ann",
        name: "Ann",
        isAdmin: false,
      });
    expect(lookups - before).toBe(1);
  });

  it("a callers' copy of the user cannot change the cached one", async () => {
    const token = await createToken(store, { id: "bob" });
    const authenticate = createAuthenticator(counting);
    const first = await authenticate(`CMW_AUTH_CODE ${token}`);
    first.isAdmin = true;
    expect((await authenticate(`CMW_AUTH_CODE ${token}`)).isAdmin).toBe(false);
  });

  it("a revoked (deleted) token is refused within a second", async () => {
    const token = await createToken(store, { id: "eve" });
    const authenticate = createAuthenticator(counting);
    await authenticate(`CMW_AUTH_CODE ${token}`);
    const db = new DatabaseSync(join(dataDir, "comind.sqlite"));
    db.prepare("DELETE FROM auth_tokens WHERE user_id = ?").run("eve");
    db.close();
    await sleep(TOKEN_CACHE_MS + 100);
    await expect(authenticate(`CMW_AUTH_CODE ${token}`)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("unknown tokens are not cached: a token created after a miss works at once", async () => {
    const authenticate = createAuthenticator(counting);
    await expect(authenticate("CMW_AUTH_CODE cmw_nope")).rejects.toMatchObject({ code: "unauthorized" });
    const before = lookups;
    await expect(authenticate("CMW_AUTH_CODE cmw_nope")).rejects.toMatchObject({ code: "unauthorized" });
    expect(lookups - before).toBe(1);
  });
});

describe("user cache", () => {
  it("reads a token user's profile and groups once per second, and shows a change after it", async () => {
    await store.directory.saveUser({
      id: "gus",
      name: "Gus",
      email: null,
      timeZone: null,
      companyId: null,
      isGlobalAdmin: false,
    });
    const token = await createToken(store, { id: "gus", name: "Gus" });
    let reads = 0;
    const directory = {
      ...store.directory,
      groupsOf: (userId: string) => {
        reads += 1;
        return store.directory.groupsOf(userId);
      },
    };
    const authenticate = createAuthenticator(store);
    const resolve = cachedUserResolver({ ...store, directory }, TOKEN_CACHE_MS);
    for (let i = 0; i < 20; i++) {
      const user = await resolve("DEMO", await authenticate(`CMW_AUTH_CODE ${token}`));
      expect(user).toMatchObject({ id: "gus", name: "Gus", groups: [] });
    }
    expect(reads).toBe(1);

    await store.directory.saveGroup("support");
    await store.directory.addGroupMember("support", "gus");
    await sleep(TOKEN_CACHE_MS + 100);
    const later = await resolve("DEMO", await authenticate(`CMW_AUTH_CODE ${token}`));
    expect(later.groups).toEqual(["support"]);
    expect(reads).toBe(2);
  });

  it("answers per workspace, and a request cannot change the shared answer", async () => {
    const token = await createToken(store, { id: "hal" });
    await store.directory.setWorkspaceAdmin("OPS", "hal", true);
    const authenticate = createAuthenticator(store);
    const resolve = cachedUserResolver(store, TOKEN_CACHE_MS);
    const caller = await authenticate(`CMW_AUTH_CODE ${token}`);
    const inOps = await resolve("OPS", caller);
    expect(inOps.isWorkspaceAdmin).toBe(true);
    expect((await resolve("DEMO", caller)).isWorkspaceAdmin).toBe(false);
    expect(() => {
      (inOps as { isAdmin: boolean }).isAdmin = true;
    }).toThrow(TypeError);
    expect(() => inOps.groups.push("admins")).toThrow(TypeError);
    expect((await resolve("OPS", caller)).isAdmin).toBe(false);
  });
});
