/**
 * apps/app-report-archive (REPORT) end to end: fetch_report (downloadFile + persist + attach),
 * export_csv (queryAppRecords + writeCsvFileRef) and upload_to_archive (multipart addFile),
 * checking stored and uploaded bytes by SHA-256 against what the mock servers sent and received.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { sha256, startMockFiles, type MockFiles } from "../fixtures/mock-files.ts";
import { createActionRuntime, type ActionRuntime } from "../../runtime/runs/index.ts";
import { EXAMPLE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

const APP_DIR = join(EXAMPLE_APPS, "app-report-archive");

/** The app's secrets pointing at the mock servers, as an admin would set them; `overrides` replace some. */
const secretsFor = (files: MockFiles, overrides: Record<string, string> = {}) => ({
  COMIND_SECRET_REPORTS_BASE_URL: files.url,
  COMIND_SECRET_REPORTS_TOKEN: files.reportsToken,
  COMIND_SECRET_ARCHIVE_BASE_URL: files.url,
  COMIND_SECRET_ARCHIVE_API_KEY: files.archiveApiKey,
  ...overrides,
});

async function runtimeFor(files: MockFiles, overrides: Record<string, string> = {}): Promise<TestRuntime> {
  const t = await startRuntime({
    allowHosts: ["127.0.0.1"],
    secrets: secretsFor(files, overrides),
  });
  await t.runtime.loadApp(APP_DIR);
  return t;
}

/** Runs a REPORT action as the developer. */
const report = (
  runtime: ActionRuntime,
  action: string,
  request: { recordId?: string; values?: Record<string, unknown> } = {},
) => runtime.run({ caller: asDeveloper(), app: "REPORT", action, ...request });

async function storedBytes(t: TestRuntime, fileUid: string): Promise<Buffer> {
  return readFileSync(await t.store.filePath(fileUid));
}

type Attachment = { file_uid: string; title: string };

describe("REPORT fetch_report, upload_to_archive and export_csv", () => {
  let files: MockFiles;
  let elsewhere: MockFiles;
  let t: TestRuntime;
  let mayId: string;

  beforeAll(async () => {
    files = await startMockFiles();
    // Another host (another origin): it must never see the reporting server's token.
    elsewhere = await startMockFiles({ reportsToken: "elsewhere-token" });
    t = await runtimeFor(files);
  });
  afterAll(async () => {
    await t?.close();
    await files?.close();
    await elsewhere?.close();
  });

  it("downloads a period's PDF with the bearer token, stores the exact bytes and attaches them", async () => {
    const result = await report(t.runtime, "fetch_report", {
      values: { title: "Monthly report May 2024", c_period: "2024-05" },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    mayId = result.recordId;

    const served = files.reports.get("2024-05")!.bytes;
    expect(files.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/api/reports/2024-05/pdf",
      status: 200,
    });
    expect(files.requests.at(-1)!.headers.authorization).toBe(`Bearer ${files.reportsToken}`);

    const attachments = result.entity.attachments__list as Attachment[];
    expect(attachments).toEqual([{ file_uid: expect.any(String), title: "monthly-report-2024-05.pdf" }]);
    expect(result.entity).toMatchObject({
      c_file_size: served.length,
      c_last_fetch_status: `Fetched monthly-report-2024-05.pdf (${served.length} bytes)`,
    });

    const meta = await t.store.getFile(attachments[0].file_uid);
    expect(meta).toMatchObject({
      fileName: "monthly-report-2024-05.pdf",
      contentType: "application/pdf",
      size: served.length,
      sha256: sha256(served),
    });
    expect(sha256(await storedBytes(t, attachments[0].file_uid))).toBe(sha256(served));

    const stored = await t.store.getRecord("DEMO", mayId);
    expect(stored!.fields.attachments).toEqual(attachments);
    const [entry] = await t.store.history("DEMO", mayId);
    expect(entry.transition).toBe("fetch_report");
    expect(entry.changes).toEqual(
      expect.arrayContaining([{ field: "attachments", old: null, new: attachments }]),
    );
  });

  it("downloads from a URL on another host without sending the token, with the UTF-8 file name", async () => {
    const result = await report(t.runtime, "fetch_report", {
      values: { title: "Brochure", c_report_url: `${elsewhere.url}/public/brochure` },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    const request = elsewhere.requests.at(-1)!;
    expect(request).toMatchObject({ path: "/public/brochure", status: 200 });
    expect(request.headers.authorization).toBeUndefined();

    const [attachment] = result.entity.attachments__list as Attachment[];
    expect(attachment.title).toBe("Broschüre 2024.pdf");
    expect(sha256(await storedBytes(t, attachment.file_uid))).toBe(
      sha256(elsewhere.publicFiles.get("brochure")!.bytes),
    );
  });

  it("sends the token to a URL that points at the reporting server itself", async () => {
    const result = await report(t.runtime, "fetch_report", {
      values: { title: "June by link", c_report_url: `${files.url}/api/reports/2024-06/pdf` },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    expect(files.requests.at(-1)!.headers.authorization).toBe(`Bearer ${files.reportsToken}`);
  });

  it("a second fetch adds the newer report in front of the older one", async () => {
    const result = await report(t.runtime, "fetch_report", {
      recordId: mayId,
      values: { c_period: "2024-06" },
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;
    const attachments = result.entity.attachments__list as Attachment[];
    expect(attachments.map((a) => a.title)).toEqual([
      "monthly-report-2024-06.pdf",
      "monthly-report-2024-05.pdf",
    ]);
    expect(sha256(await storedBytes(t, attachments[0].file_uid))).toBe(
      sha256(files.reports.get("2024-06")!.bytes),
    );
    expect(sha256(await storedBytes(t, attachments[1].file_uid))).toBe(
      sha256(files.reports.get("2024-05")!.bytes),
    );
    expect(await t.store.history("DEMO", mayId)).toHaveLength(2);
  });

  it("uploads the first attachment as multipart/form-data; the archive receives the same bytes", async () => {
    const result = await report(t.runtime, "upload_to_archive", { recordId: mayId });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;

    const upload = files.requests.at(-1)!;
    expect(upload).toMatchObject({ method: "POST", path: "/api/v1/documents", status: 201 });
    expect(upload.headers["x-api-key"]).toBe(files.archiveApiKey);
    expect(upload.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);

    expect(files.documents).toHaveLength(1);
    const [document] = files.documents;
    const june = files.reports.get("2024-06")!.bytes;
    expect(document).toMatchObject({
      fileName: "monthly-report-2024-06.pdf",
      contentType: "application/pdf",
    });
    expect(document.bytes.length).toBe(june.length);
    expect(sha256(document.bytes)).toBe(sha256(june));
    expect(document.fields).toEqual({
      title: "Monthly report May 2024",
      period: "2024-06",
      source_record: mayId,
    });

    expect(result.entity).toMatchObject({
      c_archive_id: document.id,
      c_archive_url: `${files.url}/api/v1/documents/${document.id}`,
    });
    const stored = await t.store.getRecord("DEMO", mayId);
    expect(stored!.fields.c_archive_id).toBe(document.id);
  });

  it("exports every report as a CSV attachment of the record it runs on", async () => {
    const result = await report(t.runtime, "export_csv", { values: { title: "Report catalog" } });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    if (!result.ok) return;

    const [attachment] = result.entity.attachments__list as Attachment[];
    expect(attachment.title).toMatch(/^reports-\d{4}-\d{2}-\d{2}\.csv$/);
    const meta = await t.store.getFile(attachment.file_uid);
    expect(meta).toMatchObject({ contentType: "text/csv", fileName: attachment.title });

    const rows = parse(await storedBytes(t, attachment.file_uid), { columns: true }) as Record<
      string,
      string
    >[];
    const records = await t.store.findRecords({
      workspace: "DEMO",
      app: "REPORT",
      sortBy: "number asc",
      where: {},
    });
    // The catalog record itself is new: it is stored only when this action commits.
    expect(rows.map((row) => row.title)).toEqual(
      records.filter((r) => r.id !== result.recordId).map((r) => r.fields.title),
    );
    expect(rows.map((row) => row.title)).toEqual(["Monthly report May 2024", "Brochure", "June by link"]);
    const may = rows[0];
    expect(may).toMatchObject({
      number: "1",
      period: "2024-06",
      attachments: "2",
      report_url: "",
      file_size: String(files.reports.get("2024-06")!.bytes.length),
      archive_id: files.documents[0].id,
    });
    expect(Object.keys(may)).toEqual([
      "number",
      "title",
      "period",
      "state",
      "report_url",
      "attachments",
      "file_size",
      "fetched_at",
      "archive_id",
    ]);
    expect(result.entity.c_last_export_status).toBe(`Exported 3 reports to ${attachment.title}`);
  });

  it("fails on a missing report and stores nothing", async () => {
    const result = await report(t.runtime, "fetch_report", { values: { title: "Old", c_period: "2023-01" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "No report at /api/reports/2023-01/pdf on the reporting server (HTTP 404).",
    );
    expect(await t.store.getRecord("DEMO", result.recordId!)).toBeNull();
  });

  it("rejects a period that is not YYYY-MM before any request", async () => {
    const before = files.requests.length;
    const result = await report(t.runtime, "fetch_report", { values: { c_period: "May 2024" } });
    expect(!result.ok && result.error.message).toBe('Period "May 2024" is not a month in the form YYYY-MM.');
    expect(files.requests.length).toBe(before);
  });

  it("refuses to archive a report without attachments", async () => {
    const result = await report(t.runtime, "upload_to_archive", { values: { title: "Empty" } });
    expect(!result.ok && result.error.message).toBe(
      "This report has no attachment to archive yet: run fetch_report first.",
    );
  });
});

describe("REPORT with wrong credentials", () => {
  let files: MockFiles;
  let t: TestRuntime;

  beforeAll(async () => {
    files = await startMockFiles();
    t = await runtimeFor(files);
  });
  afterAll(async () => {
    await t?.close();
    await files?.close();
  });

  /** A second runtime over the same store whose admin configured other secret values. */
  async function misconfigured(overrides: Record<string, string>): Promise<ActionRuntime> {
    const runtime = await createActionRuntime({
      store: t.store,
      allowHosts: ["127.0.0.1"],
      secrets: secretsFor(files, overrides),
    });
    await runtime.loadApp(APP_DIR);
    return runtime;
  }

  it("fails the download with a message naming the secret and stores no record", async () => {
    const runtime = await misconfigured({ COMIND_SECRET_REPORTS_TOKEN: "expired-token-1" });
    try {
      const result = await report(runtime, "fetch_report", { values: { title: "May", c_period: "2024-05" } });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.message).toBe(
        "Access to /api/reports/2024-05/pdf on the reporting server was refused (HTTP 401). Check COMIND_SECRET_REPORTS_TOKEN.",
      );
      expect(JSON.stringify(result)).not.toContain("expired-token-1");
      expect(await t.store.findRecords({ workspace: "DEMO", app: "REPORT" })).toHaveLength(0);
    } finally {
      await runtime.close();
    }
  });

  it("fails the upload on a wrong archive key and leaves the record as it was", async () => {
    const fetched = await report(t.runtime, "fetch_report", {
      values: { title: "May", c_period: "2024-05" },
    });
    expect(fetched.ok).toBe(true);
    const before = await t.store.getRecord("DEMO", fetched.recordId!);
    const runtime = await misconfigured({ COMIND_SECRET_ARCHIVE_API_KEY: "wrong-archive-key" });
    try {
      const result = await report(runtime, "upload_to_archive", { recordId: fetched.recordId! });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.message).toBe(
        "The archive rejected the API key (HTTP 401). Check COMIND_SECRET_ARCHIVE_API_KEY.",
      );
      expect(JSON.stringify(result)).not.toContain("wrong-archive-key");
      expect(files.requests.at(-1)).toMatchObject({ path: "/api/v1/documents", status: 401 });
      expect(files.documents).toHaveLength(0);
      expect(await t.store.getRecord("DEMO", fetched.recordId!)).toEqual(before);
      expect(await t.store.history("DEMO", fetched.recordId!)).toHaveLength(1);
    } finally {
      await runtime.close();
    }
  });
});
