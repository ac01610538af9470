import { POSTGRES } from "../helpers/engines.ts";
import { queueContract } from "./contract.ts";
import { quotaContract } from "./quota-contract.ts";

queueContract(POSTGRES);
quotaContract(POSTGRES);
