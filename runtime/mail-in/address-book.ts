/**
 * Which app action an address reaches. Every action declared with `invokeFromEmail: true` has its
 * own address, `<app>+<action>@<domain>` (lower case) unless the app's settings name another local
 * part (`email.addresses`); an app's `email.routes` add catch-all addresses whose action is chosen
 * by the subject (first matching rule). Anything else is an unknown recipient (550 at RCPT).
 * Read from the installed apps at each lookup, so `dev` reloading an app changes its addresses.
 */
import type { LoadedApp } from "../actions/index.ts";
import type { EmailRoute } from "../queue/index.ts";

/** What one recipient address reaches: an action, or routes to choose from by subject. */
export interface MailTarget {
  app: LoadedApp;
  /** The address as received, lower case. */
  recipient: string;
  /** Set for an action's own address. */
  action?: string;
  /** Set for a catch-all address: its rules in the app's order. */
  routes?: EmailRoute[];
}

/** `<app>+<action>`: the default local part of an action's address. */
export function defaultLocalPart(app: string, action: string): string {
  return `${app}+${action}`.toLowerCase();
}

/** Every address an app answers to, as local parts (for listings and docs). */
export function localPartsOf(app: LoadedApp): { localPart: string; action?: string }[] {
  const own = [...app.fromEmail].map((action) => ({
    localPart: app.queue.email.addresses[action] ?? defaultLocalPart(app.alias, action),
    action,
  }));
  const routed = [...new Set(app.queue.email.routes.map((route) => route.to))].map((localPart) => ({
    localPart,
  }));
  return [...own, ...routed];
}

/**
 * The target of `address`, or null when nothing here answers to it. `domain`, when set, is the only
 * domain accepted; without it any domain is (the listener is a final destination, never a relay).
 */
export function findTarget(
  apps: Iterable<LoadedApp>,
  address: string,
  domain: string | undefined,
): MailTarget | null {
  const recipient = address.trim().toLowerCase();
  const at = recipient.lastIndexOf("@");
  if (at <= 0) return null;
  const local = recipient.slice(0, at);
  if (domain && recipient.slice(at + 1) !== domain.toLowerCase()) return null;
  const sorted = [...apps].sort((a, b) => a.alias.localeCompare(b.alias));
  for (const app of sorted)
    for (const action of app.fromEmail)
      if ((app.queue.email.addresses[action] ?? defaultLocalPart(app.alias, action)) === local)
        return { app, recipient, action };
  for (const app of sorted) {
    const routes = app.queue.email.routes.filter((route) => route.to === local);
    if (routes.length > 0) return { app, recipient, routes };
  }
  return null;
}

/** The action `target` fires for a message with `subject`, or null when no rule matches. */
export function chooseAction(target: MailTarget, subject: string): string | null {
  if (target.action) return target.action;
  const route = (target.routes ?? []).find(
    (rule) => rule.subject === undefined || new RegExp(rule.subject, "i").test(subject.slice(0, 1000)),
  );
  return route?.action ?? null;
}
