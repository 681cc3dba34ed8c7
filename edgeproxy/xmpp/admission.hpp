#pragma once
// Which inbound streams the edge takes: the table of open inbound streams by source address and
// age, and the verdict for a new one. Pure bookkeeping; the edge acts on the verdict.
//
// - `connections_per_ip` bounds the streams from one address that have not authenticated yet
//   (0: no bound). Authenticated streams are bounded per partner instead ([[partner]]
//   connection_limit), so a host serving many partner domains from one address is not refused.
// - `connection_limit` bounds every inbound stream. At it, the oldest stream still
//   negotiating is evicted to make room, so idle unauthenticated sockets cannot lock out a
//   partner; only when every stream is authenticated is the newcomer refused.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

struct AdmissionLimits {
  std::size_t connection_limit = 1000;
  std::size_t connections_per_ip = 0;  // unauthenticated streams from one address; 0: no bound
};

enum class AdmissionVerdict {
  kAdmit,
  kAdmitAfterEviction,  // evict oldest_unauthenticated() first
  kRefusePerIp,         // per-ip-limit
  kRefuseAtLimit,       // connection-limit
};

class Admission {
 public:
  [[nodiscard]] AdmissionVerdict check(std::string_view address,
                                       const AdmissionLimits& limits) const;
  // A stream was admitted; `id` names it until closed().
  void opened(const std::string& id, std::string address);
  void authenticated(const std::string& id);
  // Closed or evicted: its slot is free at once (closing may take a flush's time). Unknown ids
  // (already closed) are ignored.
  void closed(const std::string& id);
  // The id of the longest-open stream that has not authenticated.
  [[nodiscard]] std::optional<std::string> oldest_unauthenticated() const;

  [[nodiscard]] std::size_t open() const noexcept { return streams_.size(); }
  [[nodiscard]] std::size_t unauthenticated_from(std::string_view address) const;

 private:
  struct Stream {
    std::string id;
    std::string address;
    bool authenticated = false;
  };
  std::map<std::uint64_t, Stream> streams_;                  // by admission order, oldest first
  std::map<std::string, std::uint64_t, std::less<>> order_;  // id -> admission order
  std::map<std::string, std::size_t, std::less<>> unauthenticated_;  // by address
  std::uint64_t next_ = 0;
};

}  // namespace edgekit::edgeproxy
