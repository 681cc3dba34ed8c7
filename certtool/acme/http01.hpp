#pragma once
// The built-in http-01 responder (RFC 8555 §8.3): a tiny HTTP/1.x server on `http_listen`
// that answers only GET/HEAD /.well-known/acme-challenge/<token> for the tokens of the
// current order, with a capped request size and a deadline per connection. "[::]:80" binds
// one dual-stack socket (IPv6 and IPv4); where that is impossible it falls back to IPv4.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace edgekit::certtool::acme {

inline constexpr std::size_t kMaxHttp01RequestBytes = 8192;

// The whole response for one request head (pure: tests drive it directly).
std::string http01_answer(std::string_view request_head,
                          const std::map<std::string, std::string, std::less<>>& tokens);

class Http01Responder {
 public:
  // Binds and starts serving in a background thread; an error names the address.
  static Result<std::unique_ptr<Http01Responder>> start(const std::string& listen);
  Http01Responder(const Http01Responder&) = delete;
  Http01Responder& operator=(const Http01Responder&) = delete;
  ~Http01Responder();

  void set_token(const std::string& token, const std::string& key_authorization);
  void clear_tokens();
  [[nodiscard]] const std::vector<std::string>& addresses() const noexcept;
  [[nodiscard]] std::size_t requests_served() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;  // the bound port (for ":0" in tests)

  struct Impl;

 private:
  explicit Http01Responder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgekit::certtool::acme

#include "certtool/acme/driver.hpp"

namespace edgekit::certtool::acme {

// The http-01 provisioner for the driver: starts the responder on `listen` when first needed
// and stops it at cleanup.
Result<std::unique_ptr<ChallengeProvisioner>> make_http01_provisioner(
    const std::string& listen, const std::function<void(const std::string&)>& progress);

}  // namespace edgekit::certtool::acme
