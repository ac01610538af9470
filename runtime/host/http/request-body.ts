/**
 * The request body, RestSharp style: a JSON body, form fields (params on POST/PUT/PATCH), or
 * multipart/form-data when files are attached (params become extra fields). File parts are
 * Blobs backed by the file on disk, so big uploads are not read into memory and a 307/308
 * redirect can send the body again.
 */
import { openAsBlob } from "node:fs";
import { FormData } from "undici";
import type { HttpRequestSpec } from "../../../globals/bridge-contract.ts";
import { HttpError } from "./errors.ts";
import type { HttpFileAccess } from "./index.ts";
import { paramsInQuery } from "./url.ts";

export interface RequestBody {
  body: string | FormData | undefined;
  /** Sent unless the user set Content-Type; FormData brings its own boundary. */
  contentType?: string;
}

export const NO_BODY: RequestBody = { body: undefined };

async function multipart(spec: HttpRequestSpec, files: HttpFileAccess): Promise<RequestBody> {
  const form = new FormData();
  if (!paramsInQuery(spec)) for (const [name, value] of spec.params) form.append(name, value);
  for (const part of spec.files) {
    const file = await files.readFile(part.ref);
    let blob: Blob;
    try {
      blob = await openAsBlob(file.path, { type: file.contentType });
    } catch {
      throw new HttpError(
        "bad_request",
        `RestApi.addFile("${part.name}"): the file "${file.fileName}" could not be read; pass a file reference from Files.getFileRef() or downloadFile().`,
      );
    }
    form.append(part.name, blob, file.fileName);
  }
  return { body: form };
}

/** The body; a promise only when files are attached (they are read from the store first). */
export function requestBody(
  spec: HttpRequestSpec,
  files: HttpFileAccess,
): RequestBody | Promise<RequestBody> {
  if (spec.files.length > 0 && spec.jsonBody !== undefined) {
    throw new HttpError(
      "bad_request",
      "RestApi: a request cannot have both addJsonBody and addFile; send the JSON as a parameter or in a separate request.",
    );
  }
  if (spec.files.length > 0) return multipart(spec, files);
  if (spec.jsonBody !== undefined) return { body: spec.jsonBody, contentType: "application/json" };
  if (spec.params.length > 0 && !paramsInQuery(spec)) {
    return {
      body: new URLSearchParams(spec.params).toString(),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  return NO_BODY;
}
