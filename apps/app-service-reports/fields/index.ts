import type { AppFieldArray } from "@comind/api";

// A field-service visit: who and when, the parts used (imported from the parts service's
// spreadsheet), and the report documents built from them.
export default [
  { name: "c_customer", caption: "Customer", type: "text" },
  { name: "c_customer_email", caption: "Customer e-mail", type: "text" },
  { name: "c_customer_time_zone", caption: "Customer time zone", type: "text" },
  { name: "c_visit_start", caption: "Visit start", type: "datetime" },
  { name: "c_visit_end", caption: "Visit end", type: "datetime" },
  { name: "c_visit_local", caption: "Visit (customer's time)", type: "text" },
  { name: "c_hours", caption: "Hours on site", type: "number" },
  { name: "c_technician", caption: "Technician", type: "text" },
  { name: "c_parts", caption: "Parts", type: "object" },
  { name: "c_parts_total", caption: "Parts total", type: "number" },
  { name: "c_parts_total_text", caption: "Parts total (formatted)", type: "text" },
  { name: "c_parts_checksum", caption: "Parts list checksum (MD5)", type: "text" },
  { name: "c_report_pdf", caption: "Report (PDF)", type: "fileslist" },
  { name: "c_report_bundle", caption: "Report bundle (zip)", type: "fileslist" },
  { name: "c_sent_reports", caption: "Reports sent so far", type: "number" },
] as const satisfies AppFieldArray;
