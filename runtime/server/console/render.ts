/**
 * Server-rendered pages with Eta templates (views/*.eta, escaped by default). Templates and assets
 * are read from this folder at run time, so there is no build step and no network.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Eta } from "eta";
import type { FastifyReply } from "fastify";
import type { UserInfo as CurrentUser } from "../../../globals/bridge-contract.ts";

const eta = new Eta({ views: join(import.meta.dirname, "views"), autoEscape: true, cache: true });

export interface PageData {
  title: string;
  /** The nav entry to mark as current. */
  section?: "apps" | "runs" | "records" | "health";
  user?: CurrentUser | null;
  /** A one-line notice at the top of the page (e.g. the outcome of a re-run). */
  notice?: { kind: "ok" | "error"; text: string } | null;
  [key: string]: unknown;
}

export function renderPage(reply: FastifyReply, view: string, data: PageData, status = 200): FastifyReply {
  const html = eta.render(`./${view}`, { notice: null, section: undefined, user: null, ...data });
  return reply
    .code(status)
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .header(
      "content-security-policy",
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "same-origin")
    .send(html);
}

/** The console's static files, read once. */
export const ASSETS: Record<string, { type: string; body: string }> = {
  "console.css": {
    type: "text/css; charset=utf-8",
    body: readFileSync(join(import.meta.dirname, "assets", "console.css"), "utf8"),
  },
  "console.js": {
    type: "text/javascript; charset=utf-8",
    body: readFileSync(join(import.meta.dirname, "assets", "console.js"), "utf8"),
  },
};

/** "2026-11-30T10:04:05.123Z" -> "2026-11-30 10:04:05 UTC". */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function durationMs(startedAt: string, finishedAt: string): number {
  return Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
}

/** A value for a table cell: text as is, everything else as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
