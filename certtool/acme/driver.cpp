#include "certtool/acme/driver.hpp"

#include <thread>

#include "certtool/acme/errors.hpp"
#include "common/log.hpp"

namespace edgekit::certtool::acme {

Result<DriverResult> run_acme(DriverOptions options, const AccountKey& key) {
  auto transport = CurlTransport::create(options.curl);
  if (!transport) {
    return transport.error();
  }
  AcmeFlow flow(options.flow, key);
  std::unique_ptr<ChallengeProvisioner> provisioner;
  // Challenges are withdrawn on every way out, success or not.
  struct Cleanup {
    std::unique_ptr<ChallengeProvisioner>& provisioner;
    explicit Cleanup(std::unique_ptr<ChallengeProvisioner>& owner) : provisioner(owner) {}
    Cleanup(const Cleanup&) = delete;
    Cleanup& operator=(const Cleanup&) = delete;
    ~Cleanup() {
      if (provisioner) {
        provisioner->cleanup();
      }
    }
  } cleanup{provisioner};

  auto report = [&] {
    for (const auto& line : flow.take_progress()) {
      if (options.progress) {
        options.progress(line);
      }
    }
  };
  auto action = flow.start();
  for (;;) {
    report();
    switch (action.kind) {
      case ActionKind::kHttp: {
        log_debug("acme.request", {{"method", action.request.method}, {"url", action.request.url}});
        auto response = transport.value().send(action.request);
        if (!response) {
          return response.error();
        }
        log_debug("acme.response", {{"status", std::to_string(response.value().status)}});
        action = flow.on_response(response.value());
        break;
      }
      case ActionKind::kSleep:
        std::this_thread::sleep_for(action.delay);
        action = flow.resume();
        break;
      case ActionKind::kProvision: {
        if (!provisioner) {
          if (!options.make_provisioner) {
            return make_error(AcmeErrc::kChallengeSetup, "challenges", "no provisioner");
          }
          auto made = options.make_provisioner();
          if (!made) {
            return made.error();
          }
          provisioner = std::move(made).value();
        }
        if (auto done = provisioner->provision(action.challenges); !done) {
          return done.error();
        }
        action = flow.resume();
        break;
      }
      case ActionKind::kSaveOrder:
        if (options.save_order) {
          if (auto saved = options.save_order(action.order_url); !saved) {
            return saved.error();
          }
        }
        action = flow.resume();
        break;
      case ActionKind::kDone: {
        DriverResult result;
        result.chain_pem = std::move(action.certificate_pem);
        result.order_url = flow.order_url();
        result.account_url = flow.account_url();
        result.resumed = flow.resumed_order();
        result.alternates = std::move(action.alternates);
        return result;
      }
      case ActionKind::kFailed: return action.error;
    }
  }
}

}  // namespace edgekit::certtool::acme
