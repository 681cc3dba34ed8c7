#pragma once
// The public-unverified rule's memory of outbound subscription requests, kept in the state
// store (<store>/edgeproxy/subscriptions.json) so a restart does not forget who asked whom.

#include <string>

#include "edgeproxy/xmpp/stanza_policy.hpp"

namespace edgekit::edgeproxy {

// Restores the memory; a missing file is an empty memory, an unreadable one is logged
// (store-corrupt) and treated as empty.
void load_subscriptions(const std::string& store_root, StanzaPolicy& policy);
// Writes the memory if it changed since the last save; a failed write is logged
// (store-write-failed) and retried on the next call.
void save_subscriptions(const std::string& store_root, StanzaPolicy& policy);

}  // namespace edgekit::edgeproxy
