// An awork API key (awork: Settings > Integrations > API keys; it acts as its client user) and,
// optionally, another API host than https://api.awork.com (a test double, a proxy).
export const secrets = {
  aworkApiKey: process.env.COMIND_SECRET_AWORK_API_KEY,
  aworkBaseUrl: process.env.COMIND_SECRET_AWORK_BASE_URL,
};
