/** Who calls a tool: the authenticated user of the HTTP request and its deadline (as REST routes see them). */
import type { UserInfo as CurrentUser } from "../../../globals/bridge-contract.ts";

export interface Caller {
  user: CurrentUser;
  /** Epoch ms by which the request must be answered (actions get what is left). */
  deadline: number;
}
