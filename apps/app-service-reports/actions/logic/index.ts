/**
 * SREPORT · import_parts / build_report / send_report — documents and e-mail from action logic.
 *
 * What it demonstrates (the documented forms only):
 * - RestApi.downloadFile() + Files.readExcelFileRef(): a spreadsheet from another service, as rows;
 * - Utils.parseJwt / getDatesDiff / formatNumber / writeCsvString / generateMd5 /
 *   dateTimeToAnotherTimeZone / formatDateTime / formatString;
 * - LiquidParser.parse(template, vars) for the report page and the e-mail body (settings vars);
 * - Files.writePdfFileRef({ html }), mergePdfFileRefs([...]), writeExcelFileRef, zipFileRefs([...]),
 *   persisted into file fields;
 * - console.profile / profileEnd around the expensive part;
 * - RestApi.setComindAuth(): this runtime's own REST API, called as the user running the action;
 * - __sendNotifications: the report e-mailed to the customer after send_report committed, with
 *   the PDF from the c_report_pdf field attached.
 */
import { entity, entityOld } from "#typings";
import { AppSchema, ComindServer, Files, LiquidParser, RestApi, Utils } from "@comind/api/server";
import type { FileRef, NotifyContext } from "@comind/api/server";

interface Part {
  sku: string;
  name: string;
  qty: number;
  price: number;
}

function partsService() {
  const { COMIND_SECRET_PARTS_BASE_URL: baseUrl, COMIND_SECRET_PARTS_TOKEN: token } = AppSchema.getSecrets();
  if (!baseUrl || !token)
    throw "Missing parts service settings: set COMIND_SECRET_PARTS_BASE_URL and COMIND_SECRET_PARTS_TOKEN.";
  return { client: RestApi.createClient(baseUrl), token };
}

function download(path: string): FileRef {
  const { client, token } = partsService();
  const response = client.createRequest(path, "GET").setOAuth2AuthorizationHeaderAuth(token).downloadFile();
  if (response.statusCode !== 200 || !response.downloadedFileRef)
    throw Utils.formatString("The parts service answered {0} for {1}.", response.statusCode, path);
  return response.downloadedFileRef;
}

function import_parts() {
  const { token } = partsService();
  const claims = Utils.parseJwt(token);
  entity.c_technician = String(claims.sub ?? "unknown");
  if (typeof claims.exp === "number") {
    const daysLeft = Utils.getDatesDiff(new Date(), new Date(claims.exp * 1000), "days");
    if (daysLeft < 7)
      console.warn(Utils.formatString("The parts service token expires in {0} days.", daysLeft));
  }

  const rows: Part[] = Files.readExcelFileRef(download(`/parts/${entity.id}.xlsx`)).map((row) => ({
    sku: String(row.sku),
    name: String(row.name),
    qty: Number(row.qty) || 0,
    price: Number(row.price) || 0,
  }));
  const { locale, currency } = ComindServer.getVars();
  const total = rows.reduce((sum, part) => sum + part.qty * part.price, 0);
  entity.c_parts = rows;
  entity.c_parts_total = total;
  entity.c_parts_total_text = `${Utils.formatNumber(total, "N2", locale)} ${currency}`;
  // The parts service checks this MD5 of the CSV form when the report is filed.
  entity.c_parts_checksum = Utils.generateMd5(Utils.writeCsvString(rows));
  console.log(Utils.formatString("Imported {0} parts, total {1}", rows.length, entity.c_parts_total_text));
}

function visitTimes() {
  if (!entity.c_visit_start || !entity.c_visit_end) throw "Set the visit start and end first.";
  const zone = entity.c_customer_time_zone || "UTC";
  const local = Utils.dateTimeToAnotherTimeZone(entity.c_visit_start, zone);
  return {
    visit: `${Utils.formatDateTime(local, "dd.MM.yyyy HH:mm")} (${zone})`,
    hours: Utils.getDatesDiff(entity.c_visit_start, entity.c_visit_end, "minutes") / 60,
  };
}

function build_report() {
  const parts = (entity.c_parts ?? []) as Part[];
  if (parts.length === 0) throw "Import the parts list before building the report.";
  const { locale, reportTemplate, termsPath } = ComindServer.getVars();
  const { visit, hours } = visitTimes();
  entity.c_visit_local = visit;
  entity.c_hours = hours;

  console.profile("report documents");
  const html = LiquidParser.parse(reportTemplate, {
    number: entity.number ?? "",
    customer: entity.c_customer ?? "",
    visit,
    hours: Utils.formatNumber(hours, "N1", locale),
    technician: entity.c_technician ?? "",
    parts: parts.map((part) => ({ ...part, price: Utils.formatNumber(part.price, "N2", locale) })),
    total: entity.c_parts_total_text ?? "",
  });
  const name = Utils.formatString("service-report-{0}", entity.number ?? entity.id);
  const page = Files.writePdfFileRef({ html, fileName: `${name}-page.pdf` });
  const report = Files.mergePdfFileRefs([page, download(termsPath)], `${name}.pdf`);
  const sheet = Files.writeExcelFileRef(parts, `${name}-parts.xlsx`);
  const bundle = Files.zipFileRefs([report, sheet], `${name}.zip`);
  console.profileEnd("report documents");

  entity.c_report_pdf = [{ file_uid: Files.persistFileRef(report).uploadedFileId, title: report.fileName }];
  entity.c_report_bundle = [
    { file_uid: Files.persistFileRef(bundle.ref).uploadedFileId, title: bundle.fileName },
  ];
}

function send_report() {
  if (!entity.c_report_pdf?.length) throw "Build the report before sending it.";
  if (!entity.c_customer_email) throw "Set the customer's e-mail address first.";
  entity.state = "sent";
}

/** How many reports were sent, as the REST API shows them to the user who runs this action. */
function count_sent() {
  const runtimeUrl = AppSchema.getSecrets().COMIND_SECRET_RUNTIME_URL;
  if (!runtimeUrl) throw "Set COMIND_SECRET_RUNTIME_URL to this runtime's URL.";
  const response = RestApi.createClient(runtimeUrl)
    .createRequest("/api/tickets/list", "POST")
    .setComindAuth()
    .addJsonBody({
      rlx: 'publishing_alias="SREPORT" AND state="sent"',
      listOfFields: "title",
      limitRecords: 1000,
    })
    .executeRequest();
  if (response.statusCode !== 200)
    throw Utils.formatString("The REST API answered {0}.", response.statusCode);
  entity.c_sent_reports = JSON.parse(response.content).length;
}

/** E-mailed after the action committed: only when this action moved the report to "sent". */
function __sendNotifications(): NotifyContext | null {
  if (entity.state !== "sent" || entityOld?.state === "sent") return null;
  return {
    to: entity.c_customer_email!,
    subject: Utils.formatString("Service report {0}", entity.title ?? ""),
    email_layout: "RecordNotification",
    email_body: LiquidParser.parse(ComindServer.getVars().emailTemplate, {
      customer: entity.c_customer ?? "",
      visit: entity.c_visit_local ?? "",
    }),
    attachment_fields: ["c_report_pdf"],
    override_from_email_name: "Service team",
    email_note: "This message was sent automatically.",
  };
}

export default {
  import_parts,
  build_report,
  send_report,
  count_sent,
  __sendNotifications,
} satisfies ActionLogic<typeof entity>;
