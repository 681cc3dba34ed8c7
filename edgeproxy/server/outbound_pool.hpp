#pragma once
// The edge's streams to partners: one stanza stream and one dialback verify stream per
// (local domain, partner domain) pair, and the db:verify requests waiting on a verify stream
// for the inbound stream that asked.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "edgeproxy/net/outbound_connection.hpp"

namespace edgekit::edgeproxy {

class InboundConnection;

class OutboundPool {
 public:
  // Makes and starts a stream, or returns null when none may be made (unknown partner,
  // shutting down).
  using Factory = std::function<std::shared_ptr<OutboundConnection>(
      const std::string& local, const std::string& remote, OutboundPurpose purpose)>;

  explicit OutboundPool(Factory factory) : factory_(std::move(factory)) {}

  // The open stream for the pair, or a new one.
  std::shared_ptr<OutboundConnection> get(const std::string& local, const std::string& remote,
                                          OutboundPurpose purpose);
  // Forgets a stream that ended (if it is still the one in the table).
  void closed(const std::shared_ptr<OutboundConnection>& connection);
  // Whether `verifier` is the verify stream this edge opened from `local` to `remote`: only
  // that stream may answer for `remote`.
  [[nodiscard]] bool is_verifier_for(const std::string& local, const std::string& remote,
                                     const std::shared_ptr<OutboundConnection>& verifier) const;
  // Whether a stanza stream to `remote` has more unwritten than it should (its component
  // link waits).
  [[nodiscard]] bool backlogged_toward(const std::string& remote) const;
  // Every stream, for shutdown.
  [[nodiscard]] std::vector<std::shared_ptr<OutboundConnection>> all() const;

  // ---- dialback requests waiting for an answer --------------------------------------------
  struct PendingVerify {
    std::weak_ptr<InboundConnection> inbound;
    std::string originating;
    std::string receiving;
    std::string stream_id;
  };
  void add_pending(PendingVerify pending) { pending_.push_back(std::move(pending)); }
  void drop_last_pending() { pending_.pop_back(); }
  // The requests one answer settles (domains compared case-insensitively).
  std::vector<PendingVerify> take_answered(const std::string& originating,
                                           const std::string& receiving,
                                           const std::string& stream_id);
  // The requests a verify stream from `receiving` to `originating` carried when it ended.
  std::vector<PendingVerify> take_for_stream(const std::string& originating,
                                             const std::string& receiving);

 private:
  using Table = std::map<std::pair<std::string, std::string>, std::shared_ptr<OutboundConnection>>;
  Table& table(OutboundPurpose purpose) {
    return purpose == OutboundPurpose::kVerify ? verifiers_ : streams_;
  }
  std::vector<PendingVerify> take_if(const std::function<bool(const PendingVerify&)>& match);

  Factory factory_;
  Table streams_;
  Table verifiers_;
  std::vector<PendingVerify> pending_;
};

}  // namespace edgekit::edgeproxy
