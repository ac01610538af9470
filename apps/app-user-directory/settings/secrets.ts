// OAuth 2.0 client credentials of the User API (Admin > Developer > API Credentials there) and its
// base URL, e.g. https://users.example.com. Only these names are visible to this app's logic.
export const secrets = {
  userApiClientId: process.env.COMIND_SECRET_USERAPI_CLIENT_ID,
  userApiClientSecret: process.env.COMIND_SECRET_USERAPI_CLIENT_SECRET,
  userApiBaseUrl: process.env.COMIND_SECRET_USERAPI_BASE_URL,
};
