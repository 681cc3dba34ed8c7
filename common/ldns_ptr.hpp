#pragma once
// Owning handles for ldns objects, and for the malloc'd text its *2str functions return.

#include <memory>
#include <string>

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
// ldns_rdf2str, ldns_rr_type2str, ldns_pkt_rcode2str ... allocate with LDNS_MALLOC: their
// text is released with ldns's own LDNS_FREE, here and nowhere else.
inline void free_string(char* text) noexcept {
  LDNS_FREE(text);  // NOLINT(cppcoreguidelines-no-malloc): the owner of ldns's malloc'd text
}

using PacketPtr = std::unique_ptr<ldns_pkt, Deleter<ldns_pkt_free>>;
using ResolverPtr = std::unique_ptr<ldns_resolver, Deleter<free_resolver>>;
using RrListPtr = std::unique_ptr<ldns_rr_list, Deleter<free_rr_list>>;
using RrPtr = std::unique_ptr<ldns_rr, Deleter<ldns_rr_free>>;
using RdfPtr = std::unique_ptr<ldns_rdf, Deleter<ldns_rdf_deep_free>>;
using BufferPtr = std::unique_ptr<ldns_buffer, Deleter<ldns_buffer_free>>;
using KeyListPtr = std::unique_ptr<ldns_key_list, Deleter<ldns_key_list_free>>;
using StringPtr = std::unique_ptr<char, Deleter<free_string>>;

// Takes ownership of text an ldns *2str function returned; "" when it returned nullptr.
inline std::string take_string(char* text) {
  const StringPtr owned(text);
  return owned ? std::string(owned.get()) : std::string();
}
// The presentation form of an rdata field or owner name ("corp.example.", "192.0.2.1");
// "" for nullptr.
inline std::string to_string(const ldns_rdf* rdf) {
  return rdf != nullptr ? take_string(ldns_rdf2str(rdf)) : std::string();
}

}  // namespace edgekit::ldns
