export default {
  vars: {
    // The kintone app id of the orders app (the number in https://<domain>/k/<appId>/).
    kintoneAppId: 12,
    // Records per cursor page: kintone allows up to 500; 100 keeps each response small.
    cursorSize: 100,
    // Stable order, so a re-run walks the records the same way.
    query: "order by $id asc",
  },
};
