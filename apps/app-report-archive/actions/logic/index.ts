/**
 * REPORT · fetch_report / export_csv / upload_to_archive — files in and out of action logic.
 *
 * What it demonstrates:
 * - RestApi.downloadFile(): a binary PDF streamed to a temporary file (never through a string),
 *   kept with Files.persistFileRef and attached via entity.attachments__list ({ file_uid, title });
 * - credentials only for their own host: the reporting token is sent when the URL points at the
 *   reporting server, never to an arbitrary URL typed into c_report_url;
 * - ComindServer.queryAppRecords + Files.writeCsvFileRef: a CSV export attached to the record;
 * - Files.getFileRef + RestApi.addFile: a multipart/form-data upload of a stored attachment,
 *   with form fields (RestApi.addParameter) next to the file and a size check of the result.
 */
import { entity } from "#typings";
import { AppSchema, ComindServer, Files, RestApi, Utils } from "@comind/api/server";
import type { FileRef } from "@comind/api/server";

/** "https://host:port" of an absolute http(s) URL, and the rest (path + query). */
function splitUrl(url: string): { origin: string; path: string } | null {
  // There is no URL class in the sandbox (it is a web API, not JavaScript): split it by hand.
  const match = /^(https?:\/\/[^/?#\s]+)([^#\s]*)/i.exec(url.trim());
  return match ? { origin: match[1].toLowerCase(), path: match[2] || "/" } : null;
}

interface ReportSource {
  origin: string;
  path: string;
  segments: [string, string][];
  bearerToken: string | null;
  /** For messages. Secret values (the reporting server's URL) would show as *** anyway. */
  label: string;
}

function reportSource(): ReportSource {
  const { COMIND_SECRET_REPORTS_BASE_URL: baseUrl, COMIND_SECRET_REPORTS_TOKEN: token } =
    AppSchema.getSecrets();
  const reportsServer = baseUrl ? splitUrl(baseUrl) : null;

  if (entity.c_report_url) {
    const target = splitUrl(entity.c_report_url);
    if (!target) throw `Report URL "${entity.c_report_url}" is not an http(s) URL.`;
    // c_report_url is typed in by users: our token goes only to the reporting server itself.
    const trusted = reportsServer !== null && reportsServer.origin === target.origin;
    return {
      ...target,
      segments: [],
      bearerToken: trusted ? (token ?? null) : null,
      label: entity.c_report_url,
    };
  }

  if (!entity.c_period) throw "Set a report URL or a period (YYYY-MM) before fetching the report.";
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(entity.c_period))
    throw `Period "${entity.c_period}" is not a month in the form YYYY-MM.`;
  if (!baseUrl || !token || !reportsServer) {
    throw "Missing reporting server settings. Configure COMIND_SECRET_REPORTS_BASE_URL and COMIND_SECRET_REPORTS_TOKEN in app secrets.";
  }
  const basePath = reportsServer.path.replace(/\/+$/, "");
  const reportPath = String(ComindServer.getVars().reportPath || "/api/reports/{period}/pdf");
  const path = basePath + reportPath;
  const label = `${path.replace("{period}", entity.c_period)} on the reporting server`;
  return {
    origin: reportsServer.origin,
    path,
    segments: [["period", entity.c_period]],
    bearerToken: token,
    label,
  };
}

function fetch_report() {
  const source = reportSource();
  RestApi.createClient(source.origin);
  RestApi.createRequest(source.path, "GET");
  RestApi.addHeader("Accept", "application/pdf, application/octet-stream");
  for (const [name, value] of source.segments) RestApi.addUrlSegment(name, value);
  if (source.bearerToken) RestApi.setOAuth2AuthorizationHeaderAuth(source.bearerToken);
  RestApi.setRequestTimeout(60);
  const res = RestApi.downloadFile();

  const where = source.label;
  if (res.statusCode === 401 || res.statusCode === 403) {
    const hint = source.bearerToken
      ? " Check COMIND_SECRET_REPORTS_TOKEN."
      : " The link needs credentials this app does not send to other hosts.";
    throw `Access to ${where} was refused (HTTP ${res.statusCode}).${hint}`;
  }
  if (res.statusCode === 404) throw `No report at ${where} (HTTP 404).`;
  if (res.statusCode !== 200 || !res.downloadedFileRef)
    throw `Report download from ${where} failed with HTTP ${res.statusCode}.`;
  const file = res.downloadedFileRef;
  if (file.size === 0) throw `The reporting server sent an empty file for ${where}.`;
  if (file.contentType !== "application/pdf")
    console.warn(`Expected a PDF, got ${file.contentType}; attaching it anyway.`);

  // Temporary download -> stored file; it is written with the record when the action commits.
  const stored = Files.persistFileRef(file.ref);
  // Newest report first: upload_to_archive sends attachments__list[0].
  entity.attachments__list = [
    { file_uid: stored.uploadedFileId, title: file.fileName },
    ...(entity.attachments__list ?? []),
  ];
  entity.c_file_size = res.contentLength;
  entity.c_fetched_at = new Date().toISOString();
  entity.c_last_fetch_status = `Fetched ${file.fileName} (${res.contentLength} bytes)`;
  console.log(`Downloaded and attached ${file.fileName} (${res.contentLength} bytes)`);
}

function export_csv() {
  const limit = Number(ComindServer.getVars().exportLimit) || 5000;
  // Every report of this app, oldest first (sees records written earlier in this action, too).
  const reports = ComindServer.queryAppRecords({ sortBy: "number asc", limit });
  const rows = reports.map((report: any) => ({
    number: report.number,
    title: report.title,
    period: report.c_period,
    state: report.state,
    report_url: report.c_report_url,
    attachments: (report.attachments__list ?? []).length,
    file_size: report.c_file_size,
    fetched_at: report.c_fetched_at,
    archive_id: report.c_archive_id,
  }));
  const fileName = `reports-${Utils.formatDateTime(new Date(), "yyyy-MM-dd")}.csv`;
  const csv: FileRef = Files.writeCsvFileRef(rows, fileName);
  const stored = Files.persistFileRef(csv);

  entity.attachments__list = [
    ...(entity.attachments__list ?? []),
    { file_uid: stored.uploadedFileId, title: fileName },
  ];
  entity.c_last_export_status = `Exported ${rows.length} reports to ${fileName}`;
  console.log(entity.c_last_export_status);
}

function upload_to_archive() {
  const { COMIND_SECRET_ARCHIVE_BASE_URL: archiveUrl, COMIND_SECRET_ARCHIVE_API_KEY: apiKey } =
    AppSchema.getSecrets();
  if (!archiveUrl || !apiKey)
    throw "Missing archive settings. Configure COMIND_SECRET_ARCHIVE_BASE_URL and COMIND_SECRET_ARCHIVE_API_KEY in app secrets.";
  const attachment = entity.attachments__list?.[0];
  if (!attachment) throw "This report has no attachment to archive yet: run fetch_report first.";

  // A reference to the stored bytes: the host streams them into the request, they never pass
  // through the sandbox's memory.
  const file = Files.getFileRef(attachment.file_uid);
  RestApi.createClient(archiveUrl);
  RestApi.createRequest("/api/v1/documents", "POST");
  RestApi.addHeader("X-API-Key", apiKey);
  RestApi.addHeader("Accept", "application/json");
  // With a file attached, parameters become form fields of the same multipart body.
  RestApi.addParameter("title", entity.title ?? file.fileName);
  RestApi.addParameter("period", entity.c_period ?? "");
  RestApi.addParameter("source_record", entity.id);
  RestApi.addFile("file", file);
  RestApi.setRequestTimeout(Number(ComindServer.getVars().uploadTimeoutSeconds) || 120);
  const res = RestApi.executeRequest();

  if (res.statusCode === 401 || res.statusCode === 403)
    throw `The archive rejected the API key (HTTP ${res.statusCode}). Check COMIND_SECRET_ARCHIVE_API_KEY.`;
  if (res.statusCode === 413)
    throw `The archive refused ${file.fileName}: ${file.size} bytes is more than it accepts.`;
  if (!res.isSuccessful)
    throw `Archive upload failed with HTTP ${res.statusCode}: ${res.content.slice(0, 200)}`;
  const document = JSON.parse(res.content);
  // Cheap end-to-end check: a truncated upload must not be recorded as archived.
  if (Number(document.size) !== file.size)
    throw `The archive stored ${document.size} bytes of ${file.fileName}, expected ${file.size}.`;

  entity.c_archive_id = String(document.id);
  entity.c_archive_url = document.url ?? null;
  entity.c_archived_at = new Date().toISOString();
  console.log(`Archived ${file.fileName} as ${document.id}`);
}

export default {
  fetch_report,
  export_csv,
  upload_to_archive,
} satisfies ActionLogic<typeof entity>;
