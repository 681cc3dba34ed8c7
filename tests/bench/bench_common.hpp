#pragma once
// Shared pieces of the benchmark peers (tests/bench): an XMPP stream scanner that finds the
// stream header and every top-level element without building a DOM (the peers must outrun the
// server they measure), a latency histogram, the clock the peers share, and small helpers.
// The peers speak real XMPP (headers, STARTTLS, SASL EXTERNAL, dialback, XEP-0114); only the
// XML parsing is reduced to what framing needs, because the peers generate or receive
// well-formed streams from servers that already checked them.

#include "common/asio_headers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgekit::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

// CLOCK_MONOTONIC is system-wide on Linux: the generator stamps, the sink subtracts.
inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One framing event of an XMPP stream. `raw` views the scanner's buffer: valid until the
// next feed().
struct XmlEvent {
  enum class Kind { kHeader, kElement, kClose, kError };
  Kind kind = Kind::kElement;
  std::string_view raw;
};

// Splits a stream into its header, its top-level elements and its end tag. Quoted attribute
// values may contain '>' and '/', which it honours; comments, DTDs and CDATA are errors (XMPP
// forbids the first two, and no peer here sends the third).
class StreamScanner {
 public:
  template <class OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event) {
    buffer_.append(bytes);
    while (scan_ < buffer_.size()) {
      const std::size_t lt = buffer_.find('<', scan_);
      if (lt == std::string::npos) {
        scan_ = buffer_.size();
        break;
      }
      const std::size_t gt = tag_end(lt);
      if (gt == std::string::npos) {
        scan_ = lt;
        break;
      }
      const char first = lt + 1 < buffer_.size() ? buffer_[lt + 1] : '\0';
      scan_ = gt + 1;
      if (first == '?') {
        continue;  // the XML declaration
      }
      if (first == '!') {
        on_event(XmlEvent{XmlEvent::Kind::kError, {}});
        buffer_.clear();
        scan_ = 0;
        return;
      }
      if (first == '/') {
        --depth_;
        if (depth_ == 0) {
          on_event(XmlEvent{XmlEvent::Kind::kClose, {}});
        } else if (depth_ == 1) {
          on_event(
              XmlEvent{XmlEvent::Kind::kElement,
                       std::string_view(buffer_).substr(element_start_, gt + 1 - element_start_)});
        }
        continue;
      }
      const bool empty = buffer_[gt - 1] == '/';
      if (depth_ == 0) {
        on_event(
            XmlEvent{XmlEvent::Kind::kHeader, std::string_view(buffer_).substr(lt, gt + 1 - lt)});
        depth_ = 1;
        continue;
      }
      if (depth_ == 1) {
        element_start_ = lt;
        if (empty) {
          on_event(XmlEvent{XmlEvent::Kind::kElement,
                            std::string_view(buffer_).substr(lt, gt + 1 - lt)});
          continue;
        }
      }
      if (!empty) {
        ++depth_;
      }
    }
    const std::size_t consumed = depth_ >= 2 ? element_start_ : scan_;
    if (consumed > 0) {
      buffer_.erase(0, consumed);
      scan_ -= consumed;
      if (depth_ >= 2) {
        element_start_ -= consumed;
      }
    }
  }

  // A stream restart (after STARTTLS or SASL success).
  void restart() {
    buffer_.clear();
    scan_ = 0;
    depth_ = 0;
  }

 private:
  std::size_t tag_end(std::size_t lt) const {
    char quote = 0;
    for (std::size_t i = lt + 1; i < buffer_.size(); ++i) {
      const char c = buffer_[i];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '>') {
        return i;
      }
    }
    return std::string::npos;
  }

  std::string buffer_;
  std::size_t scan_ = 0;
  std::size_t element_start_ = 0;
  int depth_ = 0;
};

// The value of attribute `name` in the start tag at the beginning of `xml` ("" when absent).
inline std::string_view attribute(std::string_view xml, std::string_view name) {
  const std::size_t tag_end = xml.find('>');
  const std::string_view tag = xml.substr(0, tag_end);
  std::size_t at = 0;
  while ((at = tag.find(name, at)) != std::string_view::npos) {
    const std::size_t eq = at + name.size();
    const bool starts =
        at > 0 && (tag[at - 1] == ' ' || tag[at - 1] == '\t' || tag[at - 1] == '\n');
    if (starts && eq + 1 < tag.size() && tag[eq] == '=' &&
        (tag[eq + 1] == '\'' || tag[eq + 1] == '"')) {
      const char quote = tag[eq + 1];
      const std::size_t close = tag.find(quote, eq + 2);
      if (close == std::string_view::npos) {
        return {};
      }
      return tag.substr(eq + 2, close - eq - 2);
    }
    at = eq;
  }
  return {};
}

// The element's qualified name ("message", "stream:features", "db:result").
inline std::string_view element_name(std::string_view xml) {
  if (xml.size() < 2 || xml[0] != '<') {
    return {};
  }
  const std::size_t end = xml.find_first_of(" \t\r\n/>", 1);
  return xml.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
}

inline std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex += kDigits[data[i] >> 4];
    hex += kDigits[data[i] & 0x0f];
  }
  return hex;
}

// XEP-0114: hex(SHA-1(stream id + secret)).
inline std::string component_digest(std::string_view stream_id, std::string_view secret) {
  std::string text(stream_id);
  text.append(secret);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha1(), nullptr);
  return to_hex(digest.data(), length);
}

// XEP-0185: hex(HMAC-SHA256(SHA256(secret), receiving ' ' originating ' ' stream id)).
inline std::string dialback_key(std::string_view secret, std::string_view receiving,
                                std::string_view originating, std::string_view stream_id) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hashed{};
  unsigned int hashed_length = 0;
  EVP_Digest(secret.data(), secret.size(), hashed.data(), &hashed_length, EVP_sha256(), nullptr);
  const std::string hashed_hex = to_hex(hashed.data(), hashed_length);
  std::string text(receiving);
  text.append(" ").append(originating).append(" ").append(stream_id);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), hashed_hex.data(), static_cast<int>(hashed_hex.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac.data(), &mac_length);
  return to_hex(mac.data(), mac_length);
}

inline std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Log-linear latency histogram in nanoseconds: 32 linear sub-buckets per power of two (about
// 3 % resolution) from 1 µs to ~1 h.
class Histogram {
 public:
  void add(std::int64_t ns) {
    if (ns < 0) {
      ns = 0;
    }
    ++counts_[bucket(static_cast<std::uint64_t>(ns))];
    ++total_;
    max_ = std::max(max_, ns);
  }
  [[nodiscard]] std::uint64_t total() const { return total_; }
  [[nodiscard]] std::int64_t max() const { return max_; }
  // The upper edge of the bucket holding quantile q (0..1), in nanoseconds.
  [[nodiscard]] double quantile(double q) const {
    if (total_ == 0) {
      return 0;
    }
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank && counts_[i] > 0) {
        return std::min(upper(i), static_cast<double>(max_));
      }
    }
    return static_cast<double>(max_);
  }

 private:
  static constexpr int kSub = 32;
  static constexpr int kMinShift = 10;  // below 1024 ns: one linear range
  static std::size_t bucket(std::uint64_t ns) {
    if (ns < (std::uint64_t{1} << kMinShift)) {
      return static_cast<std::size_t>(ns * kSub >> kMinShift);
    }
    const int log = 63 - __builtin_clzll(ns);
    const auto sub = static_cast<std::size_t>((ns >> (log - 5)) & (kSub - 1));
    const auto index = static_cast<std::size_t>(log - kMinShift + 1) * kSub + sub;
    return std::min(index, kBuckets - 1);
  }
  static double upper(std::size_t index) {
    if (index < kSub) {
      return static_cast<double>((index + 1) << kMinShift) / kSub;
    }
    const int log = static_cast<int>(index / kSub) + kMinShift - 1;
    const auto sub = static_cast<double>(index % kSub);
    return std::ldexp(1.0 + (sub + 1) / kSub, log);
  }
  static constexpr std::size_t kBuckets = kSub * 44;
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::int64_t max_ = 0;
};

// A TCP connection that STARTTLS (or direct TLS) turns into TLS once.
class Link {
 public:
  explicit Link(tcp::socket socket) : plain_(std::move(socket)) {}
  explicit Link(asio::io_context& io) : plain_(io) {}

  awaitable<std::size_t> read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    if (tls_) {
      co_return co_await tls_->async_read_some(buffer, asio::redirect_error(use_awaitable, ec));
    }
    co_return co_await plain_.async_read_some(buffer, asio::redirect_error(use_awaitable, ec));
  }
  awaitable<void> write(asio::const_buffer buffer, boost::system::error_code& ec) {
    if (tls_) {
      co_await asio::async_write(*tls_, buffer, asio::redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(plain_, buffer, asio::redirect_error(use_awaitable, ec));
    }
  }
  awaitable<void> start_tls(asio::ssl::context& context, bool server, const std::string& sni,
                            boost::system::error_code& ec) {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(plain_), context);
    if (!server && !sni.empty()) {
      SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(sni.c_str()));
    }
    co_await tls_->async_handshake(
        server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
        asio::redirect_error(use_awaitable, ec));
  }
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }
  void close() {
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  tcp::socket plain_;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
};

// Reads whole top-level elements from a Link, for the negotiation phases (not the hot path).
class ElementReader {
 public:
  explicit ElementReader(Link& link) : link_(link) {}
  // The next event as an owned copy; kError on a read error.
  awaitable<std::pair<XmlEvent::Kind, std::string>> next() {
    while (pending_.empty()) {
      boost::system::error_code ec;
      const std::size_t n = co_await link_.read_some(asio::buffer(buffer_), ec);
      if (ec) {
        co_return std::make_pair(XmlEvent::Kind::kError, std::string(ec.message()));
      }
      scanner_.feed(std::string_view(buffer_.data(), n), [this](const XmlEvent& event) {
        pending_.emplace_back(event.kind, std::string(event.raw));
      });
    }
    auto event = std::move(pending_.front());
    pending_.erase(pending_.begin());
    co_return event;
  }
  void restart() {
    scanner_.restart();
    pending_.clear();
  }
  StreamScanner& scanner() { return scanner_; }

 private:
  Link& link_;
  StreamScanner scanner_;
  std::vector<std::pair<XmlEvent::Kind, std::string>> pending_;
  std::array<char, 4096> buffer_{};
};

}  // namespace edgekit::bench
