export default {
  vars: {
    escalationScore: 10,
    sharedLinkBase: "https://support.example.test/t/",
  },
};
