import type { AppFieldArray } from "@comind/api";

// One record per kintone order record (title = order number). c_kintone_id + c_revision tie the
// record to its kintone original; the sync fields are filled on the record `pull_orders` runs on.
export default [
  { name: "c_kintone_id", caption: "kintone record id", type: "text" },
  { name: "c_revision", caption: "kintone revision", type: "number" },
  { name: "c_order_number", caption: "Order number", type: "text" },
  { name: "c_customer", caption: "Customer", type: "text" },
  { name: "c_amount", caption: "Amount", type: "number" },
  { name: "c_order_date", caption: "Order date", type: "date" },
  { name: "c_fulfillment_status", caption: "Fulfillment status", type: "text" },
  { name: "c_line_items", caption: "Line items", type: "object" },
  { name: "c_kintone_updated_at", caption: "Updated in kintone", type: "datetime" },
  { name: "c_last_push_date", caption: "Status pushed to kintone", type: "datetime" },
  { name: "c_last_sync_status", caption: "Last sync status", type: "text" },
  { name: "c_last_sync_date", caption: "Last sync", type: "datetime" },
] as const satisfies AppFieldArray;
