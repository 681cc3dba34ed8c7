#pragma once
// Finding a partner's server (RFC 6120 §3.2): the partner's static route (proxy_fqdn) when set,
// else the _xmpp-server._tcp SRV records in priority/weight order, else the domain on 5269;
// each target's A and AAAA records. Queries go to the [dns] nameservers (the system resolver
// when none is configured), over ldns, on a worker thread so the event loop never blocks;
// answers are cached for their TTL.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/error.hpp"
#include "edgeproxy/net/asio.hpp"

namespace edgekit::edgeproxy {

struct ResolvedEndpoints {
  std::vector<tcp::endpoint> endpoints;  // in the order to try
  std::chrono::seconds ttl{300};
};

// Blocking resolution (run on a worker thread).
Result<ResolvedEndpoints> resolve_xmpp_server(const std::vector<Endpoint>& nameservers,
                                              const std::string& domain,
                                              const std::string& proxy_fqdn);

class XmppResolver {
 public:
  using Handler = std::function<void(Result<ResolvedEndpoints>)>;

  explicit XmppResolver(asio::io_context& io) : io_(io), pool_(1) {}
  ~XmppResolver() { pool_.join(); }
  XmppResolver(const XmppResolver&) = delete;
  XmppResolver& operator=(const XmppResolver&) = delete;

  // Calls handler on the io_context's thread.
  void resolve(const std::vector<Endpoint>& nameservers, const std::string& domain,
               const std::string& proxy_fqdn, Handler handler);
  void clear_cache() { cache_.clear(); }
  void stop() { pool_.stop(); }

 private:
  struct Cached {
    ResolvedEndpoints value;
    std::chrono::steady_clock::time_point expires;
  };
  asio::io_context& io_;
  asio::thread_pool pool_;
  std::map<std::string, Cached> cache_;
};

}  // namespace edgekit::edgeproxy
