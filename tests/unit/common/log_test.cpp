// The logger: text and JSON line formats and the level filter.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace edgekit {
namespace {

TEST(Logger, TextLinesQuoteValuesWithSpaces) {
  Logger logger;
  logger.configure(LogFormat::kText, LogLevel::kInfo);
  const LogField fields[] = {{"conn", "C7"}, {"reason", "policy-violation"}, {"msg", "a b"}};
  const auto line = logger.format_line(LogLevel::kWarn, "stream.refused", fields, 3);
  EXPECT_NE(line.find(" warn stream.refused conn=C7 reason=policy-violation msg=\"a b\""),
            std::string::npos)
      << line;
}

TEST(Logger, JsonLinesAreValidJsonEvenWithBadUtf8) {
  Logger logger;
  logger.configure(LogFormat::kJson, LogLevel::kDebug);
  const LogField fields[] = {{"conn", "C1"}, {"peer", "\xff\xfe bad"}};
  const auto json = nlohmann::json::parse(logger.format_line(LogLevel::kInfo, "x", fields, 2));
  EXPECT_EQ(json["event"], "x");
  EXPECT_EQ(json["conn"], "C1");
  EXPECT_EQ(json["level"], "info");
}

TEST(Logger, LevelsBelowTheMinimumAreDropped) {
  Logger logger;
  std::ostringstream out;
  logger.set_stream(&out);
  logger.configure(LogFormat::kText, LogLevel::kWarn);
  logger.log(LogLevel::kInfo, "hidden", {});
  logger.log(LogLevel::kError, "shown", {});
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("shown"), std::string::npos);
}

}  // namespace
}  // namespace edgekit
