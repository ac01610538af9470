/**
 * Who may see a run (its document, logs and HTTP calls): the user it ran for, and admins. One
 * rule for the REST runs API and the console, for single runs and for lists.
 */

/** Whether `user` may see a run whose actor is `actor`. */
export function maySeeRun(
  user: { id: string; isAdmin?: boolean },
  actor: string | null | undefined,
): boolean {
  return Boolean(user.isAdmin) || actor === user.id;
}

/** The actor filter of a run list for `user`: admins may ask for anyone's (or all), others see their own. */
export function runListActor(user: { id: string; isAdmin?: boolean }, asked?: string): string | undefined {
  return user.isAdmin ? asked : user.id;
}
