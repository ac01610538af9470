// The reporting server (base URL + bearer token for its /api/reports endpoint) and the document
// archive (base URL + API key). Only these names reach this app's logic.
export const secrets = {
  reportsBaseUrl: process.env.COMIND_SECRET_REPORTS_BASE_URL,
  reportsToken: process.env.COMIND_SECRET_REPORTS_TOKEN,
  archiveBaseUrl: process.env.COMIND_SECRET_ARCHIVE_BASE_URL,
  archiveApiKey: process.env.COMIND_SECRET_ARCHIVE_API_KEY,
};
