/** The request body: JSON, form fields, or multipart with files (read from disk, not memory). */
import { openAsBlob } from "node:fs";
import { FormData } from "undici";
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";
import type { HttpFileAccess } from "./index.ts";
import { paramsInQuery } from "./url.ts";

export interface PreparedBody {
  body: string | FormData | undefined;
  contentType?: string;
}

export async function prepareBody(spec: HttpRequestSpec, files: HttpFileAccess): Promise<PreparedBody> {
  if (spec.files.length > 0) {
    const form = new FormData();
    if (!paramsInQuery(spec)) for (const [name, value] of spec.params) form.append(name, value);
    for (const part of spec.files) {
      const file = await files.readFile(part.ref);
      form.append(part.name, await openAsBlob(file.path, { type: file.contentType }), file.fileName);
    }
    return { body: form };
  }
  if (spec.jsonBody !== undefined) return { body: spec.jsonBody, contentType: "application/json" };
  if (spec.params.length > 0 && !paramsInQuery(spec)) {
    return { body: new URLSearchParams(spec.params).toString(), contentType: "application/x-www-form-urlencoded" };
  }
  return { body: undefined };
}
