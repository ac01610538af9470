import { SQLITE } from "../helpers/engines.ts";
import { queueContract } from "./contract.ts";

queueContract(SQLITE);
