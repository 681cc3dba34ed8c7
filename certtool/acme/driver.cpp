#include "certtool/acme/driver.hpp"

#include <thread>
#include <variant>

#include "certtool/acme/errors.hpp"
#include "common/log.hpp"
#include "common/overloaded.hpp"

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
  // Each action either yields the flow's next action or ends the run.
  using Step = std::variant<Action, Result<DriverResult>>;
  auto perform = Overloaded{
      [&](action::Send& send) -> Step {
        log_debug("acme.request", {{"method", send.request.method}, {"url", send.request.url}});
        auto response = transport.value().send(send.request);
        if (!response) {
          return response.error();
        }
        log_debug("acme.response", {{"status", std::to_string(response.value().status)}});
        return flow.on_response(response.value());
      },
      [&](action::Sleep& sleep) -> Step {
        std::this_thread::sleep_for(sleep.delay);
        return flow.resume();
      },
      [&](action::Provision& provision) -> Step {
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
        if (auto done = provisioner->provision(provision.challenges); !done) {
          return done.error();
        }
        return flow.resume();
      },
      [&](action::SaveOrder& save) -> Step {
        if (options.save_order) {
          if (auto saved = options.save_order(save.order_url); !saved) {
            return saved.error();
          }
        }
        return flow.resume();
      },
      [&](action::Done& done) -> Step {
        DriverResult result;
        result.chain_pem = std::move(done.certificate_pem);
        result.order_url = flow.order_url();
        result.account_url = flow.account_url();
        result.resumed = flow.resumed_order();
        result.alternates = std::move(done.alternates);
        return result;
      },
      [](action::Failed& failed) -> Step { return std::move(failed.error); },
  };
  auto action = flow.start();
  for (;;) {
    report();
    auto step = std::visit(perform, action);
    if (auto* ended = std::get_if<Result<DriverResult>>(&step)) {
      return std::move(*ended);
    }
    action = std::get<Action>(std::move(step));
  }
}

}  // namespace edgekit::certtool::acme
