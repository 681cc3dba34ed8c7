// certtool check: the health report and its exit code.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

using testing::CertSpec;

const nlohmann::json* find_check(const nlohmann::json& report, const std::string& id) {
  for (const auto& check : report["checks"]) {
    if (check["id"] == id) {
      return &check;
    }
  }
  return nullptr;
}

TEST_F(CerttoolTest, CheckHealthyAssignedCertificate) {
  const std::string thumb = import_issued();
  ASSERT_EQ(run({"assign", thumb}).status, 0);
  const auto result = run({"check", "--json"});
  ASSERT_EQ(result.status, 0) << result.out << result.err;
  const auto json = result.json();
  EXPECT_TRUE(json["ok"].get<bool>());
  EXPECT_EQ(json["thumbprint"], thumb);
  EXPECT_GE(json["days_left"].get<int>(), 88);
  EXPECT_EQ((*find_check(json, "chain"))["status"], "pass");  // to the recorded --ca-file
  EXPECT_EQ((*find_check(json, "names"))["status"], "pass");
  EXPECT_EQ((*find_check(json, "key"))["status"], "pass");
}

TEST_F(CerttoolTest, CheckNeedsActionWhenExpiringMissingOrNamesChanged) {
  const auto no_store = run({"check"});
  EXPECT_EQ(no_store.status, 1);
  EXPECT_NE(no_store.out.find("FAIL  assigned: "), std::string::npos) << no_store.out;
  EXPECT_NE(no_store.out.find("no store"), std::string::npos) << no_store.out;
  request();
  const auto missing = run({"check", "--json"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ((*find_check(missing.json(), "assigned"))["status"], "fail");

  CertSpec spec = full_names();
  spec.not_after = std::chrono::hours(24 * 10);
  spec.client_auth = false;
  const std::string thumb = import_issued(spec);
  ASSERT_EQ(run({"assign", thumb}).status, 0);
  const auto expiring = run({"check", "--json"});
  EXPECT_EQ(expiring.status, 1);
  EXPECT_EQ((*find_check(expiring.json(), "validity"))["status"], "fail");
  EXPECT_EQ((*find_check(expiring.json(), "eku"))["status"], "warn");
  EXPECT_EQ(run({"check", "--warn-days", "5"}).status, 0);

  write_config(default_config(store_, "additional_sans = [\"new.corp.example\"]\n"));
  const auto changed = run({"check", "--warn-days", "5", "--json"});
  EXPECT_EQ(changed.status, 1);
  EXPECT_EQ((*find_check(changed.json(), "names"))["status"], "fail");
}

}  // namespace
}  // namespace edgekit::certtool::test
