// edgekit-bench-sink: the internal side of the benchmark. It plays the internal XMPP server's
// XEP-0114 end for edgeproxy (accepts component connections, checks the SHA-1 handshake), the
// component for Prosody (connects to Prosody's component port and authenticates), or a plain
// S2S receiving server behind HAProxy (stream header + empty features, no authentication: an
// L4 proxy authenticates nothing). It counts every stanza that arrives and, for the stanzas the
// generator stamped (id = TAG.PHASE.SEQ.SENT_NS), the one-way latency. SIGUSR1 writes the
// statistics to --report as JSON; SIGTERM/SIGINT writes them and exits.

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "tests/bench/bench_common.hpp"

namespace edgekit::bench {
namespace {

struct RunStats {
  std::uint64_t measured = 0;
  std::uint64_t warmup = 0;
  std::uint64_t bytes = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  Histogram latency;
};

struct Sink {
  std::string secret;
  std::string report;
  // A pause after every read: plays a slow internal server, so a test can check that the edge
  // slows its partners down instead of overflowing the link.
  std::chrono::microseconds read_delay{0};
  std::map<std::string, RunStats, std::less<>> runs;
  std::uint64_t stanzas = 0;
  std::uint64_t errors = 0;     // stanzas of type 'error' (bounces)
  std::uint64_t unstamped = 0;  // stanzas without a bench id
  std::uint64_t streams = 0;    // authenticated component / s2s streams
  std::uint64_t failures = 0;   // handshakes refused, streams that broke
  std::int64_t started_ns = now_ns();

  void count(std::string_view raw, std::int64_t now) {
    ++stanzas;
    const std::string_view type = attribute(raw, "type");
    if (type == "error") {
      ++errors;
      return;
    }
    const std::string_view id = attribute(raw, "id");
    // TAG.PHASE.SEQ.SENT_NS
    const std::size_t a = id.find('.');
    const std::size_t b = a == std::string_view::npos ? a : id.find('.', a + 1);
    const std::size_t c = b == std::string_view::npos ? b : id.find('.', b + 1);
    if (c == std::string_view::npos) {
      ++unstamped;
      return;
    }
    std::int64_t sent = 0;
    const auto digits = id.substr(c + 1);
    if (std::from_chars(digits.data(), digits.data() + digits.size(), sent).ec != std::errc{}) {
      ++unstamped;
      return;
    }
    const std::string_view tag = id.substr(0, a);
    auto it = runs.find(tag);
    if (it == runs.end()) {
      it = runs.emplace(std::string(tag), RunStats{}).first;
    }
    RunStats& run = it->second;
    if (id.substr(a + 1, b - a - 1) == "w") {
      ++run.warmup;
      return;
    }
    if (run.measured == 0) {
      run.first_ns = now;
    }
    ++run.measured;
    run.last_ns = now;
    run.bytes += raw.size();
    run.latency.add(now - sent);
  }

  void write_report() const {
    std::ostringstream json;
    json << "{\"stanzas\":" << stanzas << ",\"errors\":" << errors << ",\"unstamped\":" << unstamped
         << ",\"streams\":" << streams << ",\"failures\":" << failures << ",\"runs\":{";
    bool first = true;
    for (const auto& [tag, run] : runs) {
      json << (first ? "" : ",") << "\"" << tag << "\":{\"measured\":" << run.measured
           << ",\"warmup\":" << run.warmup << ",\"bytes\":" << run.bytes
           << ",\"first_ns\":" << run.first_ns << ",\"last_ns\":" << run.last_ns;
      const double span = static_cast<double>(run.last_ns - run.first_ns) / 1e9;
      json << ",\"rate\":" << (span > 0 ? static_cast<double>(run.measured - 1) / span : 0.0);
      for (const auto& [name, q] : {std::pair{"p50_us", 0.5}, std::pair{"p90_us", 0.9},
                                    std::pair{"p99_us", 0.99}, std::pair{"p999_us", 0.999}}) {
        json << ",\"" << name << "\":" << run.latency.quantile(q) / 1000.0;
      }
      json << ",\"max_us\":" << static_cast<double>(run.latency.max()) / 1000.0 << "}";
      first = false;
    }
    json << "}}\n";
    if (report.empty()) {
      std::cout << json.str() << std::flush;
      return;
    }
    const std::string temp = report + ".tmp";
    {
      std::ofstream out(temp, std::ios::trunc);
      out << json.str();
    }
    (void)std::rename(temp.c_str(), report.c_str());
  }
};

std::string random_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  std::array<unsigned char, 8> bytes{};
  for (auto& b : bytes) {
    b = static_cast<unsigned char>(rng());
  }
  return to_hex(bytes.data(), bytes.size());
}

enum class Role { kComponentServer, kComponentClient, kS2sServer };

// NOLINTBEGIN(performance-inefficient-string-concatenation): negotiation strings, not the
// hot path.
// One stream: negotiation by role, then the counting loop on the hot path.
awaitable<void> serve(Sink& sink, tcp::socket socket, Role role, std::string domain) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  Link link(std::move(socket));
  StreamScanner scanner;
  std::array<char, std::size_t{64} * 1024> buffer{};
  bool ready = false;
  std::string stream_id;
  if (role == Role::kComponentClient) {
    const std::string header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
        "xmlns:stream='http://etherx.jabber.org/streams' to='" +
        domain + "'>";
    co_await link.write(asio::buffer(header), ec);
  }
  bool broken = false;
  while (!ec && !broken) {
    const std::size_t n = co_await link.read_some(asio::buffer(buffer), ec);
    if (ec) {
      break;
    }
    const std::int64_t now = now_ns();
    std::string reply;
    scanner.feed(std::string_view(buffer.data(), n), [&](const XmlEvent& event) {
      switch (event.kind) {
        case XmlEvent::Kind::kHeader:
          if (role == Role::kComponentServer) {
            domain = std::string(attribute(event.raw, "to"));
            stream_id = random_id();
            reply +=
                "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
                "xmlns:stream='http://etherx.jabber.org/streams' id='" +
                stream_id + "' from='" + domain + "'>";
          } else if (role == Role::kComponentClient) {
            stream_id = std::string(attribute(event.raw, "id"));
            reply += "<handshake>" + component_digest(stream_id, sink.secret) + "</handshake>";
          } else {
            const std::string to(attribute(event.raw, "to"));
            const std::string from(attribute(event.raw, "from"));
            reply +=
                "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                "xmlns:stream='http://etherx.jabber.org/streams' id='" +
                random_id() + "' from='" + to + "' to='" + from +
                "' version='1.0'><stream:features/>";
            ready = true;
            ++sink.streams;
          }
          break;
        case XmlEvent::Kind::kElement:
          if (ready) {
            sink.count(event.raw, now);
          } else if (element_name(event.raw) == "handshake") {
            if (role == Role::kComponentServer) {
              const auto inner_start = event.raw.find('>') + 1;
              const auto inner_end = event.raw.rfind("</");
              const std::string_view digest =
                  inner_end > inner_start ? event.raw.substr(inner_start, inner_end - inner_start)
                                          : std::string_view{};
              if (digest != component_digest(stream_id, sink.secret)) {
                reply +=
                    "<stream:error><not-authorized "
                    "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
                    "</stream:stream>";
                ++sink.failures;
                broken = true;
                return;
              }
              reply += "<handshake/>";
            }
            ready = true;
            ++sink.streams;
          } else {
            ++sink.failures;
            broken = true;
          }
          break;
        case XmlEvent::Kind::kClose:
          reply += "</stream:stream>";
          broken = true;
          break;
        case XmlEvent::Kind::kError: broken = true; break;
      }
    });
    if (!reply.empty()) {
      co_await link.write(asio::buffer(reply), ec);
    }
    if (sink.read_delay.count() > 0 && !ec) {
      asio::steady_timer pause(co_await asio::this_coro::executor, sink.read_delay);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
  if (!ready) {
    ++sink.failures;
  }
  link.close();
}

// NOLINTEND(performance-inefficient-string-concatenation)

awaitable<void> accept_loop(Sink& sink, tcp::acceptor& acceptor, Role role) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return;
    }
    asio::co_spawn(acceptor.get_executor(), serve(sink, std::move(socket), role, {}),
                   asio::detached);
  }
}

// Connects as the component `domain`, and reconnects while the process lives (Prosody may
// start after the sink).
awaitable<void> component_client(Sink& sink, tcp::endpoint where, std::string domain) {
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket socket(executor);
    boost::system::error_code ec;
    co_await socket.async_connect(where, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await serve(sink, std::move(socket), Role::kComponentClient, domain);
    }
    asio::steady_timer pause(executor, std::chrono::milliseconds(200));
    co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("not IP:PORT: " + text);
  }
  return {asio::ip::make_address(text.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(text.substr(colon + 1)))};
}

int usage() {
  std::cerr << "usage: edgekit-bench-sink --secret-file F [--report FILE]\n"
               "  [--listen-component IP:PORT]          XEP-0114 server (edgeproxy connects)\n"
               "  [--connect-component IP:PORT --domain D...]  XEP-0114 client (Prosody)\n"
               "  [--listen-s2s IP:PORT]                plain S2S receiver (behind HAProxy)\n"
               "  [--read-delay-us N]                   pause after every read (a slow server)\n";
  return 2;
}

}  // namespace
}  // namespace edgekit::bench

int main(int argc, char** argv) {
  using namespace edgekit::bench;
  Sink sink;
  std::vector<std::string> listen_component;
  std::vector<std::string> listen_s2s;
  std::string connect_component;
  std::vector<std::string> domains;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      return usage();
    }
    const std::string value = argv[++i];
    if (arg == "--secret-file") {
      std::ifstream in(value);
      std::getline(in, sink.secret);
    } else if (arg == "--report") {
      sink.report = value;
    } else if (arg == "--listen-component") {
      listen_component.push_back(value);
    } else if (arg == "--listen-s2s") {
      listen_s2s.push_back(value);
    } else if (arg == "--connect-component") {
      connect_component = value;
    } else if (arg == "--domain") {
      domains.push_back(value);
    } else if (arg == "--read-delay-us") {
      sink.read_delay = std::chrono::microseconds(std::stol(value));
    } else {
      return usage();
    }
  }
  if (sink.secret.empty() && (!listen_component.empty() || !connect_component.empty())) {
    std::cerr << "edgekit-bench-sink: error: --secret-file: missing or empty\n";
    return 2;
  }
  try {
    asio::io_context io(1);
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    auto listen = [&](const std::string& where, Role role) {
      auto acceptor = std::make_unique<tcp::acceptor>(io, parse_endpoint(where), true);
      asio::co_spawn(io, accept_loop(sink, *acceptor, role), asio::detached);
      acceptors.push_back(std::move(acceptor));
    };
    for (const auto& where : listen_component) {
      listen(where, Role::kComponentServer);
    }
    for (const auto& where : listen_s2s) {
      listen(where, Role::kS2sServer);
    }
    if (!connect_component.empty()) {
      for (const auto& domain : domains) {
        asio::co_spawn(io, component_client(sink, parse_endpoint(connect_component), domain),
                       asio::detached);
      }
    }
    asio::signal_set signals(io, SIGUSR1, SIGTERM, SIGINT);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int number) {
          if (ec) {
            return;
          }
          sink.write_report();
          if (number == SIGUSR1) {
            signals.async_wait(on_signal);
          } else {
            io.stop();
          }
        };
    signals.async_wait(on_signal);
    std::cerr << "edgekit-bench-sink: ready pid " << ::getpid() << "\n";
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "edgekit-bench-sink: error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
