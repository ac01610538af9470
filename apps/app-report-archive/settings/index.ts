export default {
  vars: {
    // Path of a period's report on the reporting server; {period} is filled with c_period.
    reportPath: "/api/reports/{period}/pdf",
    // Upper bound of records in one CSV export.
    exportLimit: 5000,
    // Large PDFs take a while to upload; the default request timeout is 30 s.
    uploadTimeoutSeconds: 120,
  },
};
