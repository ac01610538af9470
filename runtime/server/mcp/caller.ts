/** Who calls a tool: the authenticated user of the HTTP request and its deadline (as REST routes see them). */
import type { UserInfo as CurrentUser } from "../../../globals/bridge-contract.ts";
import type { Caller as Credential } from "../../access/index.ts";

export interface Caller {
  user: CurrentUser;
  /** The caller as its credential says (what a queued run keeps; see FastifyRequest.caller). */
  caller: Credential;
  /** Epoch ms by which the request must be answered (actions get what is left). */
  deadline: number;
  /** Where people reach this server (urls.ts): the public URL, or the origin the request came to. */
  baseUrl: string;
}
