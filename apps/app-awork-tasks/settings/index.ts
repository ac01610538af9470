export default {
  vars: {
    // Used when COMIND_SECRET_AWORK_BASE_URL is not set: admins then only configure the API key.
    aworkBaseUrl: "https://api.awork.com",
    // awork requires a type of work on every task; this is the id of "Project management" in the
    // workspace (GET /api/v1/typeofwork lists them).
    typeOfWorkId: "6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7",
    // Project for tasks whose record has no c_awork_project_id; empty = the field is required.
    defaultProjectId: "",
    // awork pages with page/pageSize; 50 keeps each response small.
    pageSize: 50,
    // Guard against an API that never returns an empty page (an action may send 100 requests).
    maxPages: 90,
  },
};
