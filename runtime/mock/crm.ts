/**
 * A CRM like the one seed 001's sync_contacts calls: GET /api/v2/contacts with X-API-Key,
 * answering { data: [...] }. Real HTTP on 127.0.0.1 (port chosen by the OS unless given). Used by
 * `comind-runtime mock crm` (the README's walkthrough) and by the tests.
 *
 * @example const crm = await startMockCrm({ apiKey: "your-key", port: 4000 });
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CrmContact {
  id: number;
  full_name: string;
  email: string;
  phone: string;
  company: string;
}

export interface MockCrm {
  url: string;
  apiKey: string;
  contacts: CrmContact[];
  requests: { path: string; query: URLSearchParams; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

export const THREE_CONTACTS: CrmContact[] = [
  {
    id: 101,
    full_name: "Ada Lovelace",
    email: "ada@example.test",
    phone: "+44 1",
    company: "Analytical Engines",
  },
  { id: 102, full_name: "Grace Hopper", email: "grace@example.test", phone: "+1 2", company: "Navy" },
  { id: 103, full_name: "Katherine Johnson", email: "kj@example.test", phone: "+1 3", company: "NASA" },
];

export async function startMockCrm(
  options: { apiKey?: string; contacts?: CrmContact[]; port?: number } = {},
): Promise<MockCrm> {
  const state: Omit<MockCrm, "url" | "close"> = {
    apiKey: options.apiKey ?? "crm-key-0123456789",
    contacts: [...(options.contacts ?? THREE_CONTACTS)],
    requests: [],
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    state.requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    res.setHeader("content-type", "application/json");
    if (req.headers["x-api-key"] !== state.apiKey) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: "invalid api key" }));
      return;
    }
    if (url.pathname !== "/api/v2/contacts") {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not found" }));
      return;
    }
    const limit = Number(url.searchParams.get("limit") ?? 50);
    res.end(JSON.stringify({ data: state.contacts.slice(0, limit) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
