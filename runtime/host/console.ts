/** Captures an action's console output: redacted at write time, capped, marked when truncated. */
import type { LogLevel } from "../../globals/bridge-contract.ts";
import type { Redactor } from "./redact.ts";

export interface LogEntry {
  level: LogLevel;
  message: string;
}

/** What one entry costs beyond its text (level, JSON punctuation): a flood of tiny lines counts too. */
const ENTRY_OVERHEAD = 32;

export class LogCapture {
  readonly entries: LogEntry[] = [];
  truncated = false;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly redact: Redactor;

  constructor(maxBytes: number, redact: Redactor) {
    this.maxBytes = maxBytes;
    this.redact = redact;
  }

  write(level: LogLevel, message: string): void {
    if (this.truncated) return;
    const text = this.redact(String(message));
    if (this.bytes + text.length + ENTRY_OVERHEAD > this.maxBytes) {
      const room = Math.max(this.maxBytes - this.bytes, 0);
      this.entries.push({
        level,
        message: `${text.slice(0, room)}… [console output truncated at ${this.maxBytes} bytes]`,
      });
      this.truncated = true;
      return;
    }
    this.bytes += text.length + ENTRY_OVERHEAD;
    this.entries.push({ level, message: text });
  }
}
