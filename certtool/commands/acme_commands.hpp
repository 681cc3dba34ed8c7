#pragma once
// The ACME commands' factories (registered in commands.cpp), and what `acme` and `renew`
// share: getting a certificate for a pending request from the configured ACME CA and
// importing it through `certtool import`'s code path.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/openssl_ptr.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

std::unique_ptr<cli::Command> make_acme_command();
std::unique_ptr<cli::Command> make_renew_command();

namespace acme {

// The [acme] flags, named after their keys (a flag overrides its key), plus the run's own.
void add_acme_options(cli::po::options_description& options);

struct IssueOutcome {
  int exit_code = 0;
  std::string thumbprint;  // of the imported certificate, "" when none
  nlohmann::json json;
};

// Orders, validates, finalizes and imports for request `request_id` (the newest pending
// request when empty). Prints progress and the result; the exit code is the usual one
// (common/error.hpp, docs/reference.md "Exit codes").
IssueOutcome issue_for_request(const cli::Context& context, Config config, Store& store,
                               const std::string& request_id);

// Saves a pending request for the configured names signed with `key` (the CSR rules of
// `certtool request`); returns its id.
Result<std::string> save_new_request(Store& store, const Config& config, EVP_PKEY* key,
                                     const std::optional<std::string>& password);

// `certtool assign THUMBPRINT` in this process (same checks, identity.json, reload).
int assign_in_process(const cli::Context& context, const std::string& thumbprint);

}  // namespace acme
}  // namespace edgekit::certtool
