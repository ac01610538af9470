// The parts service: its base URL and the JWT it issued to this installation (its `sub` is the
// technician account, its `exp` when it must be renewed). Only these names reach this app's logic.
export const secrets = {
  partsBaseUrl: process.env.COMIND_SECRET_PARTS_BASE_URL,
  partsToken: process.env.COMIND_SECRET_PARTS_TOKEN,
};
