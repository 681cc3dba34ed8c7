#include "edgeproxy/server/outbound_pool.hpp"

#include <algorithm>

#include "common/jid.hpp"

namespace edgekit::edgeproxy {

std::shared_ptr<OutboundConnection> OutboundPool::get(const std::string& local,
                                                      const std::string& remote,
                                                      OutboundPurpose purpose) {
  auto& streams = table(purpose);
  const auto key = std::make_pair(local, remote);
  if (const auto it = streams.find(key); it != streams.end() && !it->second->closing()) {
    return it->second;
  }
  auto connection = factory_(local, remote, purpose);
  if (connection) {
    streams[key] = connection;
  }
  return connection;
}

void OutboundPool::closed(const std::shared_ptr<OutboundConnection>& connection) {
  const auto& options = connection->options();
  auto& streams = table(options.purpose);
  const auto key = std::make_pair(options.local, options.remote);
  if (const auto it = streams.find(key); it != streams.end() && it->second == connection) {
    streams.erase(it);
  }
}

bool OutboundPool::is_verifier_for(const std::string& local, const std::string& remote,
                                   const std::shared_ptr<OutboundConnection>& verifier) const {
  const auto it = verifiers_.find(std::make_pair(local, remote));
  return it != verifiers_.end() && it->second == verifier;
}

bool OutboundPool::backlogged_toward(const std::string& remote) const {
  return std::any_of(streams_.begin(), streams_.end(), [&](const auto& entry) {
    return iequals_ascii(entry.first.second, remote) && entry.second->backlogged();
  });
}

std::vector<std::shared_ptr<OutboundConnection>> OutboundPool::all() const {
  std::vector<std::shared_ptr<OutboundConnection>> connections;
  for (const auto* streams : {&streams_, &verifiers_}) {
    for (const auto& [key, connection] : *streams) {
      connections.push_back(connection);
    }
  }
  return connections;
}

std::vector<OutboundPool::PendingVerify> OutboundPool::take_if(
    const std::function<bool(const PendingVerify&)>& match) {
  std::vector<PendingVerify> taken;
  std::erase_if(pending_, [&](const PendingVerify& pending) {
    if (match(pending)) {
      taken.push_back(pending);
      return true;
    }
    return false;
  });
  return taken;
}

std::vector<OutboundPool::PendingVerify> OutboundPool::take_answered(const std::string& originating,
                                                                     const std::string& receiving,
                                                                     const std::string& stream_id) {
  return take_if([&](const PendingVerify& pending) {
    return iequals_ascii(pending.originating, originating) &&
           iequals_ascii(pending.receiving, receiving) && pending.stream_id == stream_id;
  });
}

std::vector<OutboundPool::PendingVerify> OutboundPool::take_for_stream(
    const std::string& originating, const std::string& receiving) {
  return take_if([&](const PendingVerify& pending) {
    return pending.originating == originating && pending.receiving == receiving;
  });
}

}  // namespace edgekit::edgeproxy
