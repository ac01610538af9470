export const secrets = {
  crmApiKey: process.env.COMIND_SECRET_CRM_API_KEY,
  crmBaseUrl: process.env.COMIND_SECRET_CRM_BASE_URL,
};
