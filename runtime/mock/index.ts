/** Mock third-party APIs for walkthroughs and tests (`comind-runtime mock <name>`). */
export { type CrmContact, type MockCrm, startMockCrm, THREE_CONTACTS } from "./crm.ts";
