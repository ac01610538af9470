// kintone domain (e.g. https://acme.kintone.com) and an API token generated in the orders app's
// settings with "View records" and "Edit records" permissions. Only these names reach the logic.
export const secrets = {
  kintoneBaseUrl: process.env.COMIND_SECRET_KINTONE_BASE_URL,
  kintoneApiToken: process.env.COMIND_SECRET_KINTONE_API_TOKEN,
};
