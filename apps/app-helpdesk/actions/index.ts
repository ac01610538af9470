import type { AppActionArray } from "@comind/api";

export default [
  { uid: "escalate", caption: "Escalate", showAsMassAction: false },
  { uid: "close_selected", caption: "Close" },
  { uid: "touch", caption: "Touch", skipAuditTrail: true },
  { uid: "recount", caption: "Recount", visible: false },
  { uid: "share", caption: "Share with customer" },
  { uid: "import_batch", caption: "Import a batch" },
  { uid: "purge_closed", caption: "Purge closed tickets" },
  { uid: "whoami", caption: "Who am I" },
  { uid: "classify", caption: "Classify" },
  { uid: "delegate", caption: "Delegate" },
] as const satisfies AppActionArray;
