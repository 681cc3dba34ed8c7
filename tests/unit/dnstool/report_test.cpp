#include <gtest/gtest.h>

#include <sstream>
#include "dnstool/report.hpp"

namespace edgekit::dnstool {
namespace {

TEST(Report, JsonHasExactlyTheContractShape) {
  Report report;
  report.results.push_back(
      {"corp.example",
       {{"srv.port", Status::kFail, "m", {"publish: x"}}, {"srv.xmpps", Status::kWarn, "w", {}}}});
  const auto json = to_json(report);
  EXPECT_FALSE(json["ok"].get<bool>());
  EXPECT_EQ(json["results"][0]["domain"], "corp.example");
  EXPECT_EQ(json["results"][0]["checks"][0]["status"], "fail");
  EXPECT_EQ(json["results"][0]["checks"][1]["status"], "warn");
  EXPECT_EQ(json.size(), 2U);
  report.results[0].checks[0].status = Status::kPass;
  EXPECT_TRUE(to_json(report)["ok"].get<bool>());  // warnings allowed
}

TEST(Report, HumanOutputAlignsAndGivesVerdict) {
  Report report;
  report.results.push_back({"corp.example",
                            {{"srv.port", Status::kFail, "bad", {"publish: x"}},
                             {"dnssec", Status::kSkip, "none", {}}}});
  std::ostringstream out;
  print_human(report, out, false);
  const auto text = out.str();
  EXPECT_NE(text.find("  fail  srv.port  bad\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  skip  dnssec    none\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fix: publish: x"), std::string::npos);
  EXPECT_NE(text.find("verdict: FAIL (1 failure, 0 warnings)"), std::string::npos) << text;
}

}  // namespace
}  // namespace edgekit::dnstool
