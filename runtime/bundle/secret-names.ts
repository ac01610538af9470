/** Secrets are the environment variables whose names start with this; nothing else reaches an app. */
export const SECRET_PREFIX = "COMIND_SECRET_";
