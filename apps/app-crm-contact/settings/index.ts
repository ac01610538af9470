export default {
  vars: {
    pageSize: 200,
  },
};
