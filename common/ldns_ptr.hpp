#pragma once
// Owning handles for ldns objects.

#include <memory>

#include <ldns/ldns.h>

#include "common/c_deleter.hpp"

namespace edgekit::ldns {

template <auto FreeFn>
using Deleter = CDeleter<FreeFn>;

inline void free_resolver(ldns_resolver* resolver) noexcept {
  ldns_resolver_deep_free(resolver);
}
inline void free_rr_list(ldns_rr_list* list) noexcept {
  ldns_rr_list_deep_free(list);
}

using PacketPtr = std::unique_ptr<ldns_pkt, Deleter<ldns_pkt_free>>;
using ResolverPtr = std::unique_ptr<ldns_resolver, Deleter<free_resolver>>;
using RrListPtr = std::unique_ptr<ldns_rr_list, Deleter<free_rr_list>>;
using RrPtr = std::unique_ptr<ldns_rr, Deleter<ldns_rr_free>>;
using RdfPtr = std::unique_ptr<ldns_rdf, Deleter<ldns_rdf_deep_free>>;
using BufferPtr = std::unique_ptr<ldns_buffer, Deleter<ldns_buffer_free>>;
using KeyListPtr = std::unique_ptr<ldns_key_list, Deleter<ldns_key_list_free>>;

}  // namespace edgekit::ldns
