import { entity } from "#typings";

const HOURS: Record<string, number> = { p1: 72, p2: 24, p3: 4 };

export default {
  // Runs before the helpdesk's own `add` logic (plugins come first).
  add() {
    const hours = HOURS[entity.c_priority ?? "p2"] ?? 24;
    entity.c_sla_due = new Date(Date.UTC(2030, 0, 1) + hours * 3600_000).toISOString();
  },
} satisfies ActionLogic<typeof entity>;
