/**
 * The `email` block of an app's settings/index.ts: how incoming e-mail reaches its actions (the
 * listener is runtime/mail-in). Only actions declared with `invokeFromEmail: true` in
 * actions/index.ts can be addressed; each gets `<app>+<action>@<domain>` unless `addresses` names
 * another local part, and `routes` send a catch-all address to actions by subject.
 *
 *   email: {
 *     addresses: { from_email: "support" },                  // support@<domain> -> from_email
 *     routes: [{ to: "inbox", subject: "^\\[bug\\]", action: "bug_report" },
 *              { to: "inbox", action: "from_email" }],       // first match wins
 *     unknownSenders: "system",                              // run as system:email (default "refuse")
 *     allowSenderDomains: ["example.com"],                   // default: any domain
 *   }
 */
import { z } from "zod";

/** The local part of an address as a rule names it: lower case, no `@`. */
const LOCAL_PART = /^[a-z0-9][a-z0-9._+-]{0,63}$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, "i");
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `emailActions`: the app's actions with `invokeFromEmail: true` (the only ones mail may fire). */
export function emailSettingsSchema(emailActions: Set<string>) {
  const action = z
    .string({ error: "must name an action of the app" })
    .refine((name) => emailActions.has(name), {
      error: "is not an action with invokeFromEmail: true in actions/index.ts",
    });
  const localPart = z
    .string({ error: 'must be the part before the @, like "support"' })
    .transform((text) => text.trim().toLowerCase())
    .refine((text) => LOCAL_PART.test(text), {
      error: 'must be the part before the @ (letters, digits, . _ + -), like "support"',
    });
  const route = z.strictObject(
    {
      to: localPart,
      /** A regular expression (case-insensitive) the subject must match; omitted: any subject. */
      subject: z
        .string({ error: "must be a regular expression" })
        .max(200, { error: "must be at most 200 characters" })
        .superRefine((pattern, ctx) => {
          const problem = regexProblem(pattern);
          if (problem)
            ctx.addIssue({ code: "custom", message: `is not a valid regular expression: ${problem}` });
        })
        .optional(),
      action,
    },
    { error: 'must be an object like { to: "inbox", action }' },
  );
  return z
    .strictObject(
      {
        addresses: z
          .record(z.string(), localPart, { error: "must be an object { action: localPart }" })
          .default({}),
        routes: z.array(route, { error: "must be an array of objects" }).default([]),
        unknownSenders: z
          .enum(["refuse", "system"], { error: 'must be "refuse" or "system"' })
          .default("refuse"),
        allowSenderDomains: z
          .array(
            z
              .string({ error: "must be a domain like example.com" })
              .transform((text) => text.trim().toLowerCase())
              .refine((text) => DOMAIN.test(text), { error: "must be a domain like example.com" }),
            { error: "must be an array of domains" },
          )
          .default([]),
      },
      { error: "must be an object like { routes: [...] }" },
    )
    .superRefine((settings, ctx) => {
      for (const name of Object.keys(settings.addresses))
        if (!emailActions.has(name))
          ctx.addIssue({
            code: "custom",
            path: ["addresses", name],
            message: "is not an action with invokeFromEmail: true in actions/index.ts",
          });
    });
}

export type EmailSettings = z.infer<ReturnType<typeof emailSettingsSchema>>;
