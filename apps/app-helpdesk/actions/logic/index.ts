// Written only with the documented Comind forms (COMIND-API.md): positional queries with an rlx
// filter and a "WS!APP" / alias wksApp, runAsUser, records of mass actions, Acls, lookups.
import { entity, entityOld, records } from "#typings";
import { AppSchema, ComindServer } from "@comind/api/server";

function escalate() {
  const vars = ComindServer.getVars();
  const open = ComindServer.queryAppRecords("HELPDESK", 'state!="closed" AND c_escalated=true', ["title"]);
  entity.c_escalated = true;
  entity.c_score = (entity.c_score ?? 0) + Number(vars.escalationScore);
  entity.assignees_list = [
    ComindServer.Acls.group("support"),
    ComindServer.Acls.metaGroup("workspace_admins"),
  ];
  entity.c_note = `escalated by ${currentUser.name} in ${ComindServer.action}; ${open.length} already escalated`;
}

function close_selected() {
  for (const ticket of records) {
    ticket.state = "closed";
    ticket.c_note = `closed with ${records.length - 1} other(s)`;
  }
}

function touch() {
  entity.c_score = (entity.c_score ?? 0) + 1;
}

function recount() {
  const all = ComindServer.queryAppRecords({ wksApp: "DEMO!HELPDESK", relex: "", limitRecords: 1000 });
  entity.c_score = all.length;
}

function share() {
  const pass = ComindServer.getAccessPass(entity.id, 600);
  entity.c_share_link = pass.token;
}

function import_batch() {
  const before = ComindServer.queryAppRecordsCached("HELPDESK", 'c_note="imported"');
  const created = ComindServer.bulkCreateAppRecords("DEMO!HELPDESK", [
    { title: "Imported A", c_note: "imported", c_score: 1 },
    { title: "Imported B", c_note: "imported", c_score: 2 },
  ]);
  // The cached query answers from the action's cache: the new records are not in it.
  const cachedAgain = ComindServer.queryAppRecordsCached("HELPDESK", 'c_note="imported"');
  const fresh = ComindServer.queryAppRecords(
    "HELPDESK",
    'c_note="imported"',
    ["title", "c_score"],
    "c_score desc",
  );
  const first = ComindServer.queryApp("HELPDESK", 'c_note="imported" AND c_score>1', ["title"]);
  entity.c_note = `cached ${before.length}/${cachedAgain.length}, fresh ${fresh.length} (${fresh[0]?.title}), first ${first?.title}, created ${created.length}`;
}

function purge_closed() {
  const closed = ComindServer.queryAppRecords({
    wksApp: "HELPDESK",
    relex: 'state="closed"',
    fields: ["id"],
  });
  const { deleted } = ComindServer.bulkDeleteAppRecords(closed.map((ticket) => ticket.id));
  entity.c_note = `purged ${deleted}`;
}

function whoami() {
  const admins = AppSchema.getWorkspaceAdmins().map((admin) => admin.id);
  const schema = AppSchema.load();
  entity.c_owner = currentUser.id;
  entity.c_watchers = [currentUser.id, ComindServer.Acls.group("support")];
  entity.c_note = [
    currentUser.email,
    currentUser.timeZone,
    currentUser.companyId,
    currentUser.isGlobalAdmin,
    currentUser.isWorkspaceAdmin,
    currentUser.isInAnyOfGroups(["support", "sales"]),
    currentUser.isInField("c_watchers"),
    currentUser.isDefaultUnAuthUser(),
    currentUser.isWorkspaceAdminOf("DEMO"),
    admins.join("+"),
    schema.alias,
  ].join("|");
}

function classify() {
  const high = ComindServer.matchLookup("c_priority", "high");
  const before = ComindServer.resolveLookup("c_priority");
  entity.c_priority = high;
  const after = ComindServer.resolveLookup("c_priority");
  const parent = entity.c_parent ? ComindServer.resolveLookup("c_parent") : null;
  entity.c_note = `${before?.caption ?? "none"} -> ${after?.caption} (${after?.position}); parent ${parent?.caption ?? "-"}; was ${entityOld?.c_priority__resolved?.caption ?? "-"}`;
}

function delegate() {
  const child = ComindServer.createAppRecord<{ id: string }>(
    "HELPDESK",
    { title: `Follow-up of ${entity.title}`, c_parent: entity.id },
    "bob",
  );
  ComindServer.updateAppRecord(child.id, "whoami", {}, "bob");
  entity.c_related = [child.id];
}

export default {
  escalate,
  close_selected,
  touch,
  recount,
  share,
  import_batch,
  purge_closed,
  whoami,
  classify,
  delegate,
} satisfies ActionLogic<typeof entity>;
