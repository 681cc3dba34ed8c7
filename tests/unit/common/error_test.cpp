// Error categories: every error maps to the exit code its category promises.
#include <gtest/gtest.h>

#include "common/config.hpp"
#include "common/error.hpp"

namespace edgekit {
namespace {

TEST(Errors, CategoriesMapToContractExitCodes) {
  EXPECT_EQ(make_error(GeneralErrc::kUsage, "x").exit_code(), ExitCode::kUsage);
  EXPECT_EQ(make_error(GeneralErrc::kTimeout, "x").exit_code(), ExitCode::kOperational);
  EXPECT_EQ(make_error(ConfigErrc::kUnknownKey, "x").exit_code(), ExitCode::kUsage);
  EXPECT_EQ((Error{std::make_error_code(std::errc::connection_refused), "x", ""}.exit_code()),
            ExitCode::kOperational);
  EXPECT_EQ(make_error(GeneralErrc::kIo, "file", "denied").message(), "file: denied");
}

}  // namespace
}  // namespace edgekit
