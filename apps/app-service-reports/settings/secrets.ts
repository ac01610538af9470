// This runtime's own REST API (count_sent reads it as the current user with setComindAuth).
// The parts service: its base URL and the JWT it issued to this installation (its `sub` is the
// technician account, its `exp` when it must be renewed). Only these names reach this app's logic.
export const secrets = {
  partsBaseUrl: process.env.COMIND_SECRET_PARTS_BASE_URL,
  partsToken: process.env.COMIND_SECRET_PARTS_TOKEN,
  runtimeUrl: process.env.COMIND_SECRET_RUNTIME_URL,
};
