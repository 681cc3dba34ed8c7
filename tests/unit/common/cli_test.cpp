// The CLI framework: command dispatch, usage errors, --help/--version, multi-line failures.
#include <gtest/gtest.h>

#include <sstream>

#include "common/cli.hpp"
#include "common/config.hpp"

namespace edgekit {
namespace {

class EchoCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "echo"; }
  [[nodiscard]] std::string summary() const override { return "prints its argument"; }
  [[nodiscard]] int max_positional() const override { return 1; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("times", cli::po::value<int>()->default_value(1), "repeat");
  }
  int run(cli::Context& context) override {
    if (context.positional.empty()) {
      throw cli::UsageError("echo needs an argument");
    }
    for (int i = 0; i < context.get<int>("times").value_or(1); ++i) {
      context.out() << context.positional[0] << (context.json ? " json" : "") << "\n";
    }
    return 0;
  }
};

int run_cli(std::vector<const char*> args, std::string& out, std::string& err) {
  cli::Registry registry;
  registry.add(std::make_unique<EchoCommand>());
  // argv[0] first; appended rather than inserted at begin(), on which g++ 12 at -O3 reports a
  // false -Wnull-dereference inside std::vector.
  std::vector<const char*> argv{"tool"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out_stream;
  std::ostringstream err_stream;
  const int rc = cli::run({"tool", "a test tool", ""}, registry, static_cast<int>(argv.size()),
                          argv.data(), out_stream, err_stream);
  out = out_stream.str();
  err = err_stream.str();
  return rc;
}

TEST(Cli, RunsACommandWithOptionsAndPositionals) {
  std::string out;
  std::string err;
  EXPECT_EQ(run_cli({"--json", "echo", "hi", "--times", "2"}, out, err), 0) << err;
  EXPECT_EQ(out, "hi json\nhi json\n");
}

TEST(Cli, UsageErrorsExitTwoWithToolPrefix) {
  std::string out;
  std::string err;
  EXPECT_EQ(run_cli({"nope"}, out, err), 2);
  EXPECT_NE(err.find("tool: error: usage: unknown command 'nope'"), std::string::npos) << err;
  EXPECT_EQ(run_cli({"echo", "--bogus"}, out, err), 2);
  EXPECT_EQ(run_cli({"echo"}, out, err), 2);
  EXPECT_NE(err.find("echo needs an argument"), std::string::npos);
  EXPECT_EQ(run_cli({"echo", "a", "b"}, out, err), 2);
  EXPECT_EQ(run_cli({}, out, err), 2);
}

TEST(Cli, HelpAndVersion) {
  std::string out;
  std::string err;
  EXPECT_EQ(run_cli({"--help"}, out, err), 0);
  EXPECT_NE(out.find("echo"), std::string::npos);
  EXPECT_EQ(run_cli({"echo", "--help"}, out, err), 0);
  EXPECT_NE(out.find("--times"), std::string::npos);
  EXPECT_EQ(run_cli({"--version"}, out, err), 0);
  EXPECT_EQ(out.rfind("tool ", 0), 0U);
}

TEST(Cli, FailPrintsEveryLineOfAMultiLineError) {
  std::ostringstream out;
  std::ostringstream err;
  cli::Context context("tool", out, err);
  const int rc = context.fail(
      make_error(ConfigErrc::kBadValue, "invalid configuration", "f:1: a: bad\nf:2: b: bad"));
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.str().find("tool: error: f:1: a: bad\ntool: error: f:2: b: bad\n"),
            std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace edgekit
