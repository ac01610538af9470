import { makeEntity } from "@comind/api";
import actions from "./actions";
import fields from "./fields";

export const { entity, entityOld } = makeEntity(fields, actions);
