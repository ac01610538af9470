import type { AppFieldArray } from "@comind/api";

export default [
  {
    name: "c_priority",
    caption: "Priority",
    type: "lookup",
    options: [
      { value: "p1", caption: "Low", position: 1 },
      { value: "p2", caption: "Normal", position: 2 },
      { value: "p3", caption: "High", position: 3 },
    ],
  },
  { name: "c_tags", caption: "Tags", type: "lookupMulti", options: ["billing", "bug", "question"] },
  { name: "c_parent", caption: "Parent ticket", type: "appsLookup", lookupApp: "HELPDESK" },
  { name: "c_related", caption: "Related tickets", type: "linkslist" },
  { name: "c_duplicate_of", caption: "Duplicate of", type: "linkto" },
  { name: "c_owner", caption: "Owner", type: "person" },
  { name: "c_watchers", caption: "Watchers", type: "peoplelist" },
  { name: "c_score", caption: "Score", type: "number" },
  { name: "c_customer_email", caption: "Customer e-mail", type: "text" },
  { name: "c_escalated", caption: "Escalated", type: "bool" },
  { name: "c_note", caption: "Note", type: "text" },
  { name: "c_share_link", caption: "Share link", type: "text" },
] as const satisfies AppFieldArray;
