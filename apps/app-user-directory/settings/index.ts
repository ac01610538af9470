export default {
  vars: {
    // The User API allows at most 100 results per page; fewer pages = fewer rate-limited requests.
    pageSize: 100,
    // Stop after this many pages even if meta.total_pages says more: a bad meta must not loop forever.
    maxPages: 50,
    // Longest wait for a rate-limit window to reset. The action has a 60 s wall-clock budget, so a
    // reset far in the future is better reported as an error than slept through.
    maxRateLimitWaitMs: 15000,
  },
};
