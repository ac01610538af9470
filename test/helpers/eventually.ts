/**
 * Waits for a condition instead of for a fixed time: polls `check` until it passes, so a test
 * is as quick as the system allows and only fails when the condition never comes.
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
