/**
 * Files follow their record: who may read a stored file. A file is readable by those who may READ
 * any record it is attached to (the one access check, `appsAllowed`), and by its uploader while no
 * record holds it. Global and workspace admins read every file. Everyone else gets "no", and
 * callers answer `not_found`, so a uid nobody may read is indistinguishable from one that is not.
 */
import type { UserInfo } from "../../globals/bridge-contract.ts";
import type { DirectoryPort, FilePort, StoredFile } from "../store/index.ts";
import { appsAllowed } from "./check.ts";

export interface FileReadRequest {
  user: UserInfo;
  /** The served workspace: only records of it count (the user's rights are for it). */
  workspace: string;
  fileId: string;
}

/** The file when this user may read it, else null (also when it does not exist). */
export async function readableFile(
  store: FilePort & DirectoryPort,
  request: FileReadRequest,
): Promise<StoredFile | null> {
  const { user, workspace } = request;
  if (user.isUnauthenticated) return null;
  const file = await store.getFile(request.fileId);
  if (!file) return null;
  if (user.isGlobalAdmin || user.isWorkspaceAdmin) return file;
  const holders = await store.fileHolders(file.id);
  if (holders.length === 0) return file.uploadedBy !== null && file.uploadedBy === user.id ? file : null;
  const apps = [
    ...new Set(
      holders.filter((h) => h.workspace.toLowerCase() === workspace.toLowerCase()).map((h) => h.app),
    ),
  ];
  if (apps.length === 0) return null;
  const readable = await appsAllowed(store, { user, workspace, apps, permission: "read" });
  return readable.length > 0 ? file : null;
}
