#pragma once
// Runs the ACME flow for real: performs each action of the pure state machine with libcurl,
// the http-01 responder or the dns-01 updater, sleeps while polling, reports progress, and
// tears the challenges down afterwards whatever happened.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "certtool/acme/curl.hpp"
#include "certtool/acme/flow.hpp"
#include "common/error.hpp"

namespace edgekit::certtool::acme {

// Makes challenges answerable and removes them again (http-01 responder, dns-01 updater).
class ChallengeProvisioner {
 public:
  ChallengeProvisioner() = default;
  ChallengeProvisioner(const ChallengeProvisioner&) = delete;
  ChallengeProvisioner& operator=(const ChallengeProvisioner&) = delete;
  virtual ~ChallengeProvisioner() = default;
  virtual Result<void> provision(const std::vector<ChallengeTask>& tasks) = 0;
  virtual void cleanup() = 0;
};

struct DriverOptions {
  FlowParams flow;
  CurlOptions curl;
  // Creates the provisioner when the first challenge needs one (so an order whose names are
  // all validated already binds no port).
  std::function<Result<std::unique_ptr<ChallengeProvisioner>>()> make_provisioner;
  std::function<Result<void>(const std::string& order_url)> save_order;
  std::function<void(const std::string& line)> progress;
};

struct DriverResult {
  std::string chain_pem;
  std::string order_url;
  std::string account_url;
  bool resumed = false;
  std::vector<std::string> alternates;
};

Result<DriverResult> run_acme(DriverOptions options, const AccountKey& key);

}  // namespace edgekit::certtool::acme
