import { POSTGRES } from "../helpers/engines.ts";
import { queueContract } from "./contract.ts";

queueContract(POSTGRES);
