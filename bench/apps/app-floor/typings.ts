import { makeEntity } from "@comind/api";
import fields from "./fields";

export const { entity } = makeEntity(fields);
