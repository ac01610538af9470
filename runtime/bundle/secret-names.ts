/**
 * The secret names an app declares: every `process.env.COMIND_SECRET_*` that settings/secrets.ts
 * reads. An app sees only these; anything else in the environment stays on the host.
 */
const ENV_READ = /process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\])/g;

export const SECRET_PREFIX = "COMIND_SECRET_";

export function declaredSecretNames(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(ENV_READ)) {
    const name = match[1] ?? match[2];
    if (name.startsWith(SECRET_PREFIX)) names.add(name);
  }
  return [...names].sort();
}
