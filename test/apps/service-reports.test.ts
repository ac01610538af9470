/**
 * apps/app-service-reports (SREPORT) end to end against real loopback servers: a parts service
 * (HTTP, bearer JWT, an .xlsx and a terms PDF) and an SMTP server. Every part-B global is used by
 * the app in its documented form; the misuse fixture shows tsc rejecting wrong signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { unzipSync } from "fflate";
import { SignJWT } from "jose";
import { PDFDocument } from "pdf-lib";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { readExcel } from "../../runtime/host/documents/excel.ts";
import { createServer } from "../../runtime/server/index.ts";
import { writeCsvText } from "../../runtime/host/csv.ts";
import { ROOT } from "../helpers/cli.ts";
import { type LoopbackServer, startLoopbackServer } from "../helpers/http-test-servers.ts";
import { EXAMPLE_APPS, FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { startSmtp, type TestSmtp } from "../helpers/smtp.ts";

const PARTS = [
  { sku: "F-10", name: "Filter", qty: 2, price: 10.5 },
  { sku: "P-77", name: "Pump <large>", qty: 1, price: 1213.5 },
];

async function partsWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Parts");
  sheet.addRow(["sku", "name", "qty", "price"]);
  for (const part of PARTS) sheet.addRow([part.sku, part.name, part.qty, part.price]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function termsPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage();
  doc.addPage();
  return Buffer.from(await doc.save());
}

let parts: LoopbackServer;
let smtp: TestSmtp;
let t: TestRuntime;
let token: string;
let api: FastifyInstance;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  token = await new SignJWT({ scope: "parts:read" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("tech-7")
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3 * 86_400 + 3_600)
    .sign(new TextEncoder().encode("parts-service-signing-key-0123456789"));
  const [xlsx, terms] = [await partsWorkbook(), await termsPdf()];
  parts = await startLoopbackServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    if (/^\/parts\/[\w-]+\.xlsx$/.test(req.path)) {
      res.writeHead(200, {
        "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      });
      res.end(xlsx);
    } else if (req.path === "/documents/terms.pdf") {
      res.writeHead(200, { "content-type": "application/pdf" }).end(terms);
    } else res.writeHead(404).end();
  });
  smtp = await startSmtp();
  t = await startRuntime({
    allowHosts: ["127.0.0.1"],
    secrets,
    notifications: { smtpUrl: smtp.url, from: "service@example.com", log: () => undefined },
  });
  await t.runtime.loadApp(join(EXAMPLE_APPS, "app-service-reports"));
  api = await createServer({ runtime: t.runtime, store: t.store, workspace: "DEMO", dataDir: t.dataDir });
  await api.listen({ port: 0, host: "127.0.0.1" });
  const runtimeUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  t.runtime.servesAt(runtimeUrl);
  Object.assign(secrets, {
    COMIND_SECRET_PARTS_BASE_URL: parts.url,
    COMIND_SECRET_PARTS_TOKEN: token,
    COMIND_SECRET_RUNTIME_URL: runtimeUrl,
  });
});
afterAll(async () => {
  await api?.close();
  await t?.close();
  await parts?.close();
  await smtp?.close();
});

const stored = async (fileUid: string) => readFileSync(await t.store.filePath(fileUid));

describe("SREPORT import_parts -> build_report -> send_report", () => {
  let recordId: string;
  let number: number;

  it("import_parts reads the parts spreadsheet and the token's claims", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "SREPORT",
      action: "import_parts",
      values: {
        title: "Pump repair",
        c_customer: "Acme & Sons",
        c_customer_email: "Buyer <buyer@acme.example>",
        c_customer_time_zone: "Europe/Berlin",
        c_visit_start: "2026-07-01T12:00:00.000Z",
        c_visit_end: "2026-07-01T14:30:00.000Z",
      },
    });
    if (!result.ok) throw new Error(result.error.message);
    recordId = result.recordId;
    number = result.entity.number as number;
    expect(parts.received[0].path).toBe(`/parts/${recordId}.xlsx`);
    expect(result.entity).toMatchObject({
      c_technician: "tech-7",
      c_parts: PARTS,
      c_parts_total: 1234.5,
      c_parts_total_text: "1.234,50 EUR",
      c_parts_checksum: createHash("md5").update(writeCsvText(PARTS)).digest("hex"),
    });
    const messages = result.logs.map((entry) => entry.message);
    expect(messages).toContain("The parts service token expires in 3 days.");
    expect(messages).toContain("Imported 2 parts, total 1.234,50 EUR");
  });

  it("build_report renders the page, merges the terms, and stores the PDF and a zip with the parts sheet", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "SREPORT",
      action: "build_report",
      recordId,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.entity.c_visit_local).toBe("01.07.2026 14:00 (Europe/Berlin)");
    expect(result.entity.c_hours).toBe(2.5);
    expect(result.logs.some((entry) => /^\[profile\] report documents: \d+ ms$/.test(entry.message))).toBe(
      true,
    );

    const [pdfItem] = result.entity.c_report_pdf as { file_uid: string; title: string }[];
    expect(pdfItem.title).toBe(`service-report-${number}.pdf`);
    const pdf = await PDFDocument.load(await stored(pdfItem.file_uid));
    expect(pdf.getPageCount()).toBe(3); // the report page + the two pages of terms

    const [bundleItem] = result.entity.c_report_bundle as { file_uid: string }[];
    const entries = unzipSync(await stored(bundleItem.file_uid));
    expect(Object.keys(entries).sort()).toEqual([
      `service-report-${number}-parts.xlsx`,
      `service-report-${number}.pdf`,
    ]);
    expect(await readExcel(Buffer.from(entries[`service-report-${number}-parts.xlsx`]))).toEqual(PARTS);
  });

  it("send_report e-mails the customer after the commit, with the report attached, once", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "SREPORT",
      action: "send_report",
      recordId,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.entity.state).toBe("sent");
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail.subject).toBe(`[SREPORT-${number}] Service report Pump repair`);
    expect(mail.envelopeTo).toEqual(["buyer@acme.example"]);
    expect(mail.from?.value[0]).toEqual({ name: "Service team", address: "service@example.com" });
    expect(mail.html).toContain("Dear Acme &amp; Sons,");
    expect(mail.html).toContain("01.07.2026 14:00 (Europe/Berlin)");
    expect(mail.attachments.map((file) => file.filename)).toEqual([`service-report-${number}.pdf`]);
    expect((await PDFDocument.load(mail.attachments[0].content)).getPageCount()).toBe(3);

    const again = await t.runtime.run({
      caller: asDeveloper(),
      app: "SREPORT",
      action: "send_report",
      recordId,
    });
    expect(again.ok).toBe(true);
    expect(smtp.messages).toHaveLength(1);
  });

  it("count_sent asks this runtime's REST API as the current user (setComindAuth)", async () => {
    const result = await t.runtime.run({
      app: "SREPORT",
      action: "count_sent",
      recordId,
      caller: asDeveloper({ id: "dispatcher", name: "Dispatcher" }),
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.entity.c_sent_reports).toBe(1);
  });

  it("a failed send_report sends nothing and changes nothing", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "SREPORT",
      action: "send_report",
      values: { c_customer_email: "x@example.com" },
    });
    expect(!result.ok && result.error.message).toBe("Build the report before sending it.");
    expect(smtp.messages).toHaveLength(1);
  });
});

describe("type-checking against the documented signatures", () => {
  const tsc = (dir: string) => {
    try {
      execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", join(dir, "tsconfig.json")], {
        encoding: "utf8",
        stdio: "pipe",
      });
      return "";
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  };

  it("the example app passes and each deliberate misuse is rejected", () => {
    expect(tsc(join(EXAMPLE_APPS, "app-service-reports"))).toBe("");
    const errors = tsc(join(FIXTURE_APPS, "app-service-misuse"));
    for (const expected of [
      /not assignable to parameter of type 'PdfFromHtml'/,
      /not assignable to parameter of type 'FileRefLike\[\]'/,
      /'\{ template: string; \}' is not assignable to parameter of type 'string'/,
      /'"fortnights"' is not assignable to parameter of type 'DateUnit/,
      /'2' is not assignable to parameter of type 'NumberFormat/,
      /'"FancyLayout"' is not assignable to type 'EmailLayout/,
    ])
      expect(errors).toMatch(expected);
  });
});
