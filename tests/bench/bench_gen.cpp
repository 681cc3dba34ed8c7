// edgekit-bench-gen: the partner side of the benchmark. It plays N partner domains with M S2S
// streams each against a receiving server (edgeproxy, Prosody, or HAProxy in front of the
// sink), negotiates like a real server (stream header, STARTTLS, SASL EXTERNAL with a client
// certificate, or Server Dialback while also being the domains' authoritative server that
// answers db:verify), then sends a mix of stanzas open-loop at a target rate or closed-loop as
// fast as the receiver takes them. Every stanza id carries TAG.PHASE.SEQ.SENT_NS so the sink
// measures one-way latency. Modes:
//   relay (default)  warm-up, then a measured phase; --report gets what was sent
//   --hold S         establish every stream, stay idle S seconds (memory per stream)
//   --churn K        K new streams (negotiate, authenticate, close), --concurrency C at a time
// Exit 0 when every stream authenticated (relay, hold) or K streams completed (churn).

#include <charconv>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "tests/bench/bench_common.hpp"

namespace edgekit::bench {
namespace {

enum class Auth { kSasl, kDialback, kNone };

struct Options {
  tcp::endpoint target;
  Auth auth = Auth::kSasl;
  bool direct_tls = false;  // XEP-0368 / HAProxy: TLS from the first byte, no STARTTLS
  bool tls = true;
  std::string local = "corp.bench.example";  // stream `to` and stanza `to` domain
  std::string prefix = "p";
  std::string suffix = "bench.example";
  int domains = 1;
  int streams = 1;
  std::string cert;
  std::string key;
  std::string ca;
  std::string dialback_listen;
  std::string dialback_secret = "bench-dialback-secret";
  double rate = 0;  // stanzas/s over all streams; 0 = closed loop
  double duration = 5;
  double warmup = 1;
  std::string tag = "run";
  std::vector<std::pair<std::string, int>> mix = {{"chat32", 6}, {"chat1k", 2}, {"presence", 2}};
  double hold = 0;
  int churn = 0;
  int concurrency = 50;
  std::string report;
};

struct Totals {
  std::uint64_t sent_warmup = 0;
  std::uint64_t sent_measured = 0;
  std::uint64_t bytes_measured = 0;
  std::uint64_t received_errors = 0;  // bounces and stream errors from the server
  std::uint64_t authenticated = 0;
  std::uint64_t failed = 0;
  std::uint64_t verifies = 0;  // db:verify answered as authoritative server
  Histogram establish;         // connect -> authenticated
  std::string first_failure;
};

std::string domain_name(const Options& options, int index) {
  return options.prefix + std::to_string(index + 1) + "." + options.suffix;
}

std::string stream_header(std::string_view from, std::string_view to) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='";
  xml.append(from).append("' to='").append(to).append("' version='1.0'>");
  return xml;
}

// The stanza mix, expanded to a cycle of kinds so picking one is an index.
class Mix {
 public:
  explicit Mix(const std::vector<std::pair<std::string, int>>& weights) {
    for (const auto& [kind, weight] : weights) {
      for (int i = 0; i < weight; ++i) {
        cycle_.push_back(kind == "chat1k" ? 1 : kind == "presence" ? 2 : 0);
      }
    }
    if (cycle_.empty()) {
      cycle_.push_back(0);
    }
    std::shuffle(cycle_.begin(), cycle_.end(), std::mt19937{42});
  }
  [[nodiscard]] int pick(std::uint64_t seq) const { return cycle_[seq % cycle_.size()]; }

 private:
  std::vector<int> cycle_;
};

void append_stanza(std::string& out, int kind, std::string_view from_domain,
                   std::string_view to_domain, int stream, const std::string& tag, char phase,
                   std::uint64_t seq, std::int64_t stamp) {
  static const std::string body32(32, 'x');
  static const std::string body1k(1024, 'y');
  std::array<char, 24> number{};
  const auto seq_end = std::to_chars(number.data(), number.data() + number.size(), seq).ptr;
  std::array<char, 24> stamp_text{};
  const auto stamp_end =
      std::to_chars(stamp_text.data(), stamp_text.data() + stamp_text.size(), stamp).ptr;
  const std::string user = "u" + std::to_string(stream);
  out += kind == 2 ? "<presence from='" : "<message from='";
  out.append(user).append("@").append(from_domain).append("/bench' to='").append(user);
  out.append("@").append(to_domain).append("' id='").append(tag).append(".");
  out += phase;
  out.append(".").append(number.data(), seq_end).append(".").append(stamp_text.data(), stamp_end);
  if (kind == 2) {
    out += "'><show>chat</show><status>benchmark</status></presence>";
    return;
  }
  out += "' type='chat'><body>";
  out += kind == 1 ? body1k : body32;
  out += "</body></message>";
}

class Generator {
 public:
  Generator(asio::io_context& io, Options options)
      : io_(io),
        options_(std::move(options)),
        mix_(options_.mix),
        tls_(asio::ssl::context::tls_client) {
    tls_.set_verify_mode(options_.ca.empty() ? asio::ssl::verify_none : asio::ssl::verify_peer);
    if (!options_.ca.empty()) {
      tls_.load_verify_file(options_.ca);
    }
    if (options_.auth == Auth::kSasl && !options_.cert.empty()) {
      tls_.use_certificate_chain_file(options_.cert);
      tls_.use_private_key_file(options_.key, asio::ssl::context::pem);
    }
  }

  Totals& totals() { return totals_; }

  // Negotiates one stream up to authentication; false on failure (recorded).
  awaitable<bool> establish(Link& link, ElementReader& reader, const std::string& domain) {
    const std::int64_t start = now_ns();
    boost::system::error_code ec;
    auto fail = [&](const std::string& why) {
      ++totals_.failed;
      if (totals_.first_failure.empty()) {
        totals_.first_failure = domain + ": " + why;
      }
      return false;
    };
    co_await link.socket().async_connect(options_.target, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return fail("connect: " + ec.message());
    }
    link.socket().set_option(tcp::no_delay(true), ec);
    // A small send buffer keeps the closed loop honest: the generator feels the server's
    // back-pressure at once instead of parking megabytes in the kernel (a slow server would
    // otherwise still be relaying warm-up stanzas when the measured phase ends).
    link.socket().set_option(asio::socket_base::send_buffer_size(128 * 1024), ec);
    if (options_.direct_tls) {
      co_await link.start_tls(tls_, false, options_.local, ec);
      if (ec) {
        co_return fail("tls: " + ec.message());
      }
    }
    std::string stream_id;
    auto open = [&]() -> awaitable<std::string> {
      const std::string header = stream_header(domain, options_.local);
      co_await link.write(asio::buffer(header), ec);
      if (ec) {
        co_return std::string("write: " + ec.message());
      }
      auto event = co_await reader.next();
      if (event.first != XmlEvent::Kind::kHeader) {
        co_return "no stream header: " + event.second;
      }
      stream_id = std::string(attribute(event.second, "id"));
      event = co_await reader.next();
      if (event.first != XmlEvent::Kind::kElement ||
          element_name(event.second) != "stream:features") {
        co_return "no features: " + event.second;
      }
      co_return std::string();
    };
    std::string error = co_await open();
    if (!error.empty()) {
      co_return fail(error);
    }
    if (options_.tls && !options_.direct_tls) {
      const std::string starttls = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
      co_await link.write(asio::buffer(starttls), ec);
      auto event = co_await reader.next();
      if (ec || element_name(event.second) != "proceed") {
        co_return fail("starttls refused: " + event.second);
      }
      co_await link.start_tls(tls_, false, options_.local, ec);
      if (ec) {
        co_return fail("tls: " + ec.message());
      }
      reader.restart();
      error = co_await open();
      if (!error.empty()) {
        co_return fail(error);
      }
    }
    if (options_.auth == Auth::kSasl) {
      const std::string auth =
          "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>" + base64(domain) +
          "</auth>";
      co_await link.write(asio::buffer(auth), ec);
      auto event = co_await reader.next();
      if (ec || element_name(event.second) != "success") {
        co_return fail("sasl: " + event.second);
      }
      reader.restart();
      error = co_await open();
      if (!error.empty()) {
        co_return fail(error);
      }
    } else if (options_.auth == Auth::kDialback) {
      const std::string result =
          "<db:result from='" + domain + "' to='" + options_.local + "'>" +
          dialback_key(options_.dialback_secret, options_.local, domain, stream_id) +
          "</db:result>";
      co_await link.write(asio::buffer(result), ec);
      auto event = co_await reader.next();
      if (ec || element_name(event.second) != "db:result" ||
          attribute(event.second, "type") != "valid") {
        co_return fail("dialback: " + event.second);
      }
    }
    ++totals_.authenticated;
    totals_.establish.add(now_ns() - start);
    co_return true;
  }

  struct RelayStream {
    explicit RelayStream(asio::io_context& io) : link(io), reader(link), wake(io) {}
    Link link;
    ElementReader reader;
    bool peer_closed = false;
    asio::steady_timer wake;
  };

  // Counts what the server sends back on an established stream (bounces, stream errors) and
  // notices its end of the stream.
  awaitable<void> drain_incoming(std::shared_ptr<RelayStream> stream) {
    std::array<char, 4096> buffer{};
    while (!stream->peer_closed) {
      boost::system::error_code ec;
      const std::size_t n = co_await stream->link.read_some(asio::buffer(buffer), ec);
      if (ec) {
        break;
      }
      stream->reader.scanner().feed(std::string_view(buffer.data(), n), [&](const XmlEvent& event) {
        if (event.kind == XmlEvent::Kind::kElement) {
          ++totals_.received_errors;
        } else if (event.kind != XmlEvent::Kind::kHeader) {
          stream->peer_closed = true;
        }
      });
    }
    stream->peer_closed = true;
    stream->wake.cancel();
  }

  awaitable<void> relay_stream(int domain_index, int stream_index, double per_stream_rate) {
    const std::string domain = domain_name(options_, domain_index);
    auto stream = std::make_shared<RelayStream>(io_);
    Link& link = stream->link;
    const bool ok = co_await establish(link, stream->reader, domain);
    if (++finished_establishing_ == total_streams()) {
      start_ns_ = now_ns();
    }
    if (!ok) {
      ++relay_done_;
      co_return;
    }
    // Everyone starts sending together, once every stream is up.
    while (finished_establishing_ < total_streams()) {
      asio::steady_timer wait(io_, std::chrono::milliseconds(5));
      co_await wait.async_wait(use_awaitable);
    }
    asio::co_spawn(io_, drain_incoming(stream), asio::detached);
    const std::int64_t start = start_ns_;
    const auto warmup_end = start + static_cast<std::int64_t>(options_.warmup * 1e9);
    const auto end = warmup_end + static_cast<std::int64_t>(options_.duration * 1e9);
    const int stream_number = domain_index * options_.streams + stream_index;
    std::uint64_t seq = 0;
    std::string batch;
    boost::system::error_code ec;
    asio::steady_timer tick(io_);
    while (!ec) {
      const std::int64_t now = now_ns();
      if (now >= end) {
        break;
      }
      batch.clear();
      if (per_stream_rate <= 0) {
        // Closed loop: a full batch per write; TCP back-pressure sets the pace.
        while (batch.size() < std::size_t{16} * 1024) {
          const char phase = now < warmup_end ? 'w' : 'm';
          const std::size_t before = batch.size();
          append_stanza(batch, mix_.pick(seq), domain, options_.local, stream_number, options_.tag,
                        phase, seq, now_ns());
          account(phase, batch.size() - before);
          ++seq;
        }
      } else {
        // Open loop: every stanza due by now, stamped with its scheduled time (no coordinated
        // omission: a stalled write shows up as latency).
        // Stanza `seq` is scheduled at start + seq / rate: those up to now are due.
        const auto due =
            static_cast<std::uint64_t>(static_cast<double>(now - start) / 1e9 * per_stream_rate) +
            1;
        while (seq < due && batch.size() < std::size_t{256} * 1024) {
          const auto scheduled =
              start + static_cast<std::int64_t>(static_cast<double>(seq) / per_stream_rate * 1e9);
          if (scheduled >= end) {
            break;
          }
          const char phase = scheduled < warmup_end ? 'w' : 'm';
          const std::size_t before = batch.size();
          append_stanza(batch, mix_.pick(seq), domain, options_.local, stream_number, options_.tag,
                        phase, seq, scheduled);
          account(phase, batch.size() - before);
          ++seq;
        }
        if (batch.empty()) {
          tick.expires_after(std::chrono::microseconds(500));
          co_await tick.async_wait(asio::redirect_error(use_awaitable, ec));
          continue;
        }
      }
      co_await link.write(asio::buffer(batch), ec);
    }
    // Close the stream the XMPP way and wait for the server's end tag: closing the socket
    // earlier would reset the connection and lose what the server has not read yet.
    const std::string close = "</stream:stream>";
    co_await link.write(asio::buffer(close), ec);
    if (!stream->peer_closed) {
      stream->wake.expires_after(std::chrono::seconds(30));
      co_await stream->wake.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    link.close();
    ++relay_done_;
  }

  awaitable<void> hold_stream(int domain_index) {
    const std::string domain = domain_name(options_, domain_index);
    auto link = std::make_unique<Link>(tcp::socket(io_));
    ElementReader reader(*link);
    const bool ok = co_await establish(*link, reader, domain);
    ++finished_establishing_;
    if (!ok) {
      co_return;
    }
    held_.push_back(std::move(link));
  }

  awaitable<void> churn_worker(int worker) {
    while (churn_started_ < options_.churn) {
      const int index = churn_started_++;
      Link link{tcp::socket(io_)};
      ElementReader reader(link);
      const bool ok = co_await establish(
          link, reader, domain_name(options_, (index + worker) % options_.domains));
      if (ok) {
        boost::system::error_code ec;
        const std::string close = "</stream:stream>";
        co_await link.write(asio::buffer(close), ec);
        ++churn_done_;
      }
      link.close();
    }
  }

  // NOLINTBEGIN(performance-inefficient-string-concatenation): negotiation, not the hot path.
  // The authoritative server of the partner domains: answers db:verify for the keys it issued.
  awaitable<void> authority(tcp::acceptor& acceptor) {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        co_return;
      }
      asio::co_spawn(io_, authority_stream(std::move(socket)), asio::detached);
    }
  }

  awaitable<void> authority_stream(tcp::socket socket) {
    Link link(std::move(socket));
    ElementReader reader(link);
    boost::system::error_code ec;
    for (;;) {
      auto event = co_await reader.next();
      if (event.first == XmlEvent::Kind::kHeader) {
        const std::string reply =
            "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
            "id='auth" +
            std::to_string(++authority_ids_) + "' from='" +
            std::string(attribute(event.second, "to")) + "' to='" +
            std::string(attribute(event.second, "from")) +
            "' version='1.0'><stream:features><dialback xmlns='urn:xmpp:features:dialback'>"
            "<errors/></dialback></stream:features>";
        co_await link.write(asio::buffer(reply), ec);
      } else if (event.first == XmlEvent::Kind::kElement &&
                 element_name(event.second) == "db:verify") {
        const std::string receiving(attribute(event.second, "from"));
        const std::string originating(attribute(event.second, "to"));
        const std::string id(attribute(event.second, "id"));
        const auto inner_start = event.second.find('>') + 1;
        const auto inner_end = event.second.rfind("</");
        const std::string key = inner_end > inner_start
                                    ? event.second.substr(inner_start, inner_end - inner_start)
                                    : std::string();
        const bool valid =
            key == dialback_key(options_.dialback_secret, receiving, originating, id);
        ++totals_.verifies;
        const std::string reply = "<db:verify from='" + originating + "' to='" + receiving +
                                  "' id='" + id + "' type='" + (valid ? "valid" : "invalid") +
                                  "'/>";
        co_await link.write(asio::buffer(reply), ec);
      } else if (event.first != XmlEvent::Kind::kElement) {
        break;
      }
      if (ec) {
        break;
      }
    }
    link.close();
  }

  // NOLINTEND(performance-inefficient-string-concatenation)

  [[nodiscard]] int total_streams() const { return options_.domains * options_.streams; }

  awaitable<void> run_relay() {
    const double per_stream = options_.rate / total_streams();
    for (int d = 0; d < options_.domains; ++d) {
      for (int s = 0; s < options_.streams; ++s) {
        asio::co_spawn(io_, relay_stream(d, s, per_stream), asio::detached);
      }
    }
    while (relay_done_ < total_streams()) {
      asio::steady_timer wait(io_, std::chrono::milliseconds(5));
      co_await wait.async_wait(use_awaitable);
    }
  }

  void account(char phase, std::size_t bytes) {
    if (phase == 'w') {
      ++totals_.sent_warmup;
    } else {
      ++totals_.sent_measured;
      totals_.bytes_measured += bytes;
    }
  }

  awaitable<void> run_hold() {
    int next = 0;
    while (next < total_streams()) {
      // At most `concurrency` handshakes in flight.
      while (next < total_streams() &&
             next - static_cast<int>(finished_establishing_) < options_.concurrency) {
        asio::co_spawn(io_, hold_stream(next % options_.domains), asio::detached);
        ++next;
      }
      asio::steady_timer wait(io_, std::chrono::milliseconds(2));
      co_await wait.async_wait(use_awaitable);
    }
    while (finished_establishing_ < total_streams()) {
      asio::steady_timer wait(io_, std::chrono::milliseconds(5));
      co_await wait.async_wait(use_awaitable);
    }
    std::cout << "established " << totals_.authenticated << "\n" << std::flush;
    asio::steady_timer wait(io_, std::chrono::milliseconds(static_cast<int>(options_.hold * 1000)));
    co_await wait.async_wait(use_awaitable);
    for (auto& link : held_) {
      link->close();
    }
    held_.clear();
  }

  awaitable<void> run_churn() {
    const std::int64_t start = now_ns();
    for (int i = 0; i < options_.concurrency; ++i) {
      asio::co_spawn(io_, churn_worker(i), asio::detached);
    }
    while (churn_done_ + static_cast<int>(totals_.failed) < options_.churn) {
      asio::steady_timer wait(io_, std::chrono::milliseconds(2));
      co_await wait.async_wait(use_awaitable);
    }
    churn_seconds_ = static_cast<double>(now_ns() - start) / 1e9;
  }

  std::string report_json() const {
    std::ostringstream json;
    const double measured = options_.duration;
    json << "{\"tag\":\"" << options_.tag << "\",\"streams\":" << total_streams()
         << ",\"authenticated\":" << totals_.authenticated << ",\"failed\":" << totals_.failed
         << ",\"sent_warmup\":" << totals_.sent_warmup
         << ",\"sent_measured\":" << totals_.sent_measured
         << ",\"bytes_measured\":" << totals_.bytes_measured
         << ",\"offered_rate\":" << static_cast<double>(totals_.sent_measured) / measured
         << ",\"received_errors\":" << totals_.received_errors
         << ",\"verifies\":" << totals_.verifies
         << ",\"establish_p50_ms\":" << totals_.establish.quantile(0.5) / 1e6
         << ",\"establish_p99_ms\":" << totals_.establish.quantile(0.99) / 1e6;
    if (options_.churn > 0) {
      json << ",\"churn_done\":" << churn_done_ << ",\"churn_seconds\":" << churn_seconds_
           << ",\"streams_per_second\":"
           << (churn_seconds_ > 0 ? churn_done_ / churn_seconds_ : 0.0);
    }
    std::string failure = totals_.first_failure;
    for (auto& c : failure) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
        c = ' ';
      }
    }
    json << ",\"first_failure\":\"" << failure.substr(0, 300) << "\"}\n";
    return json.str();
  }

  int churn_done() const { return churn_done_; }

 private:
  asio::io_context& io_;
  Options options_;
  Mix mix_;
  asio::ssl::context tls_;
  Totals totals_;
  int finished_establishing_ = 0;
  int relay_done_ = 0;
  std::int64_t start_ns_ = 0;
  std::vector<std::unique_ptr<Link>> held_;
  int churn_started_ = 0;
  int churn_done_ = 0;
  double churn_seconds_ = 0;
  std::uint64_t authority_ids_ = 0;
};

tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("not IP:PORT: " + text);
  }
  return {asio::ip::make_address(text.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(text.substr(colon + 1)))};
}

int usage() {
  std::cerr
      << "usage: edgekit-bench-gen --target IP:PORT [--auth sasl|dialback|none] [--direct-tls]\n"
         "  [--no-tls] [--local DOMAIN] [--prefix P] [--suffix S] [--domains N] [--streams M]\n"
         "  [--cert F --key F] [--ca F] [--dialback-listen IP:PORT] [--dialback-secret S]\n"
         "  [--rate R (0: closed loop)] [--duration S] [--warmup S] [--tag T]\n"
         "  [--mix chat32=6,chat1k=2,presence=2] [--hold S] [--churn K] [--concurrency C]\n"
         "  [--report FILE]\n";
  return 2;
}

}  // namespace
}  // namespace edgekit::bench

int main(int argc, char** argv) {
  using namespace edgekit::bench;
  Options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--direct-tls") {
        options.direct_tls = true;
        continue;
      }
      if (arg == "--no-tls") {
        options.tls = false;
        continue;
      }
      if (i + 1 >= argc) {
        return usage();
      }
      const std::string value = argv[++i];
      if (arg == "--target") {
        options.target = parse_endpoint(value);
      } else if (arg == "--auth") {
        options.auth = value == "sasl"       ? Auth::kSasl
                       : value == "dialback" ? Auth::kDialback
                                             : Auth::kNone;
      } else if (arg == "--local") {
        options.local = value;
      } else if (arg == "--prefix") {
        options.prefix = value;
      } else if (arg == "--suffix") {
        options.suffix = value;
      } else if (arg == "--domains") {
        options.domains = std::stoi(value);
      } else if (arg == "--streams") {
        options.streams = std::stoi(value);
      } else if (arg == "--cert") {
        options.cert = value;
      } else if (arg == "--key") {
        options.key = value;
      } else if (arg == "--ca") {
        options.ca = value;
      } else if (arg == "--dialback-listen") {
        options.dialback_listen = value;
      } else if (arg == "--dialback-secret") {
        options.dialback_secret = value;
      } else if (arg == "--rate") {
        options.rate = std::stod(value);
      } else if (arg == "--duration") {
        options.duration = std::stod(value);
      } else if (arg == "--warmup") {
        options.warmup = std::stod(value);
      } else if (arg == "--tag") {
        options.tag = value;
      } else if (arg == "--mix") {
        options.mix.clear();
        std::stringstream parts(value);
        std::string part;
        while (std::getline(parts, part, ',')) {
          const auto eq = part.find('=');
          options.mix.emplace_back(part.substr(0, eq),
                                   eq == std::string::npos ? 1 : std::stoi(part.substr(eq + 1)));
        }
      } else if (arg == "--hold") {
        options.hold = std::stod(value);
      } else if (arg == "--churn") {
        options.churn = std::stoi(value);
      } else if (arg == "--concurrency") {
        options.concurrency = std::stoi(value);
      } else if (arg == "--report") {
        options.report = value;
      } else {
        return usage();
      }
    }
    if (options.target.port() == 0 || options.domains < 1 || options.streams < 1) {
      return usage();
    }
    asio::io_context io(1);
    Generator generator(io, options);
    std::unique_ptr<tcp::acceptor> authority;
    if (!options.dialback_listen.empty()) {
      authority =
          std::make_unique<tcp::acceptor>(io, parse_endpoint(options.dialback_listen), true);
      asio::co_spawn(io, generator.authority(*authority), asio::detached);
    }
    bool done = false;
    auto body = [&]() -> awaitable<void> {
      if (options.churn > 0) {
        co_await generator.run_churn();
      } else if (options.hold > 0) {
        co_await generator.run_hold();
      } else {
        co_await generator.run_relay();
      }
      done = true;
      io.stop();
    };
    asio::co_spawn(io, body(), asio::detached);
    io.run();
    const std::string json = generator.report_json();
    if (options.report.empty()) {
      std::cout << json;
    } else {
      std::ofstream(options.report) << json;
    }
    if (!done) {
      return 3;
    }
    if (options.churn > 0) {
      return generator.churn_done() == options.churn ? 0 : 1;
    }
    return generator.totals().failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "edgekit-bench-gen: error: " << e.what() << "\n";
    return 3;
  }
}
