// certtool list: requests and certificates in the store.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

TEST_F(CerttoolTest, ListMarksTheAssignedCertificate) {
  const std::string first = import_issued();
  const std::string second = import_issued();
  ASSERT_EQ(run({"assign", second}).status, 0);
  const auto json = run({"list", "--json"}).json();
  EXPECT_EQ(json["assigned"], second);
  ASSERT_EQ(json["certificates"].size(), 2U);
  ASSERT_EQ(json["requests"].size(), 2U);
  for (const auto& cert : json["certificates"]) {
    EXPECT_EQ(cert["assigned"].get<bool>(), cert["thumbprint"] == second);
  }
  const auto text = run({"list"});
  EXPECT_NE(text.out.find("* " + second), std::string::npos) << text.out;
}

}  // namespace
}  // namespace edgekit::certtool::test
