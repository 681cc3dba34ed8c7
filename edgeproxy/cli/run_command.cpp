#include "edgeproxy/cli/run_command.hpp"

#include <unistd.h>

#include "common/log.hpp"
#include "common/secret_files.hpp"
#include "common/store.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/server/edge.hpp"
#include "edgeproxy/server/systemd_notify.hpp"

namespace edgekit::edgeproxy {
namespace {

// --check-config refuses what the edge only warns about at start: a check is the place to
// stop a deployment that would leak its secrets.
Error exposure_error(const std::vector<ExposedSecret>& exposed) {
  std::string why;
  for (const auto& secret : exposed) {
    why += (why.empty() ? "" : "\n") + exposure_message(secret);
  }
  return make_error(ConfigErrc::kBadValue, "secret files", why);
}

class RunCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "run"; }
  [[nodiscard]] std::string summary() const override {
    return "run the federation edge in the foreground (the default command)";
  }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("check-config", "validate the deployment file and exit (0 or 2)")(
        "log-format", cli::po::value<std::string>()->default_value("text"), "text | json")(
        "log-level", cli::po::value<std::string>()->default_value("info"),
        "debug | info | warn | error");
  }

  int run(cli::Context& context) override {
    auto config = context.load_config();
    if (!config) {
      return context.fail(config.error());
    }
    const auto exposed = world_readable_secrets(
        config.value(), choose_store_path(context.store_flag, config.value().edge.store));
    if (context.flag("check-config")) {
      if (!exposed.empty()) {
        return context.fail(exposure_error(exposed));
      }
      context.out() << context.config_location() << ": OK (" << config.value().partners.size()
                    << " partners)\n";
      return 0;
    }
    LogFormat format = LogFormat::kText;
    LogLevel level = LogLevel::kInfo;
    if (!parse_log_format(context.get<std::string>("log-format").value_or("text"), format) ||
        !parse_log_level(context.get<std::string>("log-level").value_or("info"), level)) {
      throw cli::UsageError(
          "--log-format must be text or json; --log-level debug, info, "
          "warn or error");
    }
    Logger::global().configure(format, level);
    if (stderr_is_journal()) {
      Logger::global().set_timestamps(false);  // the journal stamps every line itself
    }

    for (const auto& secret : exposed) {
      log_warn("secret.exposed", {{"file", secret.path.string()},
                                  {"key", secret.what},
                                  {"reason", "secret-world-readable"},
                                  {"fix", "chmod 600 " + secret.path.string()}});
    }

    asio::io_context io(1);
    auto shared = std::make_shared<const Config>(std::move(config).value());
    Edge edge(io, shared, EdgeOptions{context.config_location(), context.store_flag.value_or("")});
    auto started = edge.start();
    if (!started) {
      return context.fail(started.error());
    }
    const auto pid_file = write_pid_file(*shared, context);

    // Under systemd (edgeproxy.service, Type=notify): READY once listening, RELOADING around
    // a SIGHUP, STOPPING, a STATUS line with the open connections, and WATCHDOG=1 pings from
    // the event loop when WatchdogSec= is set.
    const SystemdNotifier systemd;
    const auto status_line = [&] {
      return std::to_string(edge.metrics().connections()) + " connections, " +
             std::to_string(edge.config()->partners.size()) + " partners";
    };
    bool shutting_down = false;
    asio::steady_timer watchdog(io);
    std::function<void()> schedule_watchdog;
    schedule_watchdog = [&] {
      const auto interval = systemd.watchdog_interval();
      if (!interval || shutting_down) {
        return;
      }
      watchdog.expires_after(*interval);
      watchdog.async_wait([&](const boost::system::error_code& ec) {
        if (ec || shutting_down) {
          return;
        }
        systemd.notify("WATCHDOG=1\nSTATUS=" + status_line());
        schedule_watchdog();
      });
    };

    asio::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int signal_number) {
      if (ec) {
        return;
      }
      if (signal_number == SIGHUP) {
        log_info("signal.hup", {{"reason", "reload"}});
        systemd.reloading();
        edge.reload();
        systemd.ready(status_line());
      } else {
        systemd.stopping();
        shutting_down = true;
        watchdog.cancel();
        edge.shutdown();
      }
      signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    log_info("edge.started", {{"partners", std::to_string(shared->partners.size())},
                              {"pid", std::to_string(::getpid())}});
    systemd.ready(status_line());
    schedule_watchdog();
    io.run();
    if (!pid_file.empty()) {
      std::error_code ignored;
      std::filesystem::remove(pid_file, ignored);
    }
    log_info("edge.stopped", {{"reason", "shutdown"},
                              {"in_flight", std::to_string(edge.metrics().ledger().in_flight())}});
    return 0;
  }

 private:
  // The store's edgeproxy.pid lets `certtool assign` ask this process to reload.
  static std::filesystem::path write_pid_file(const Config& config, const cli::Context& context) {
    const auto root = choose_store_path(context.store_flag, config.edge.store);
    auto store = Store::open(root, false);
    if (!store) {
      return {};
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (!store.value().write(std::string(store_layout::kEdgeproxyPidFile), pid)) {
      return {};
    }
    return root / std::string(store_layout::kEdgeproxyPidFile);
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_run_command() {
  return std::make_unique<RunCommand>();
}

}  // namespace edgekit::edgeproxy
