import { entity } from "#typings";

export default {
  // Only support staff may escalate, and only open tickets.
  escalate: () => entity.state !== "closed" && currentUser.isInGroup("support"),
} satisfies PreconditionLogic<typeof entity>;
