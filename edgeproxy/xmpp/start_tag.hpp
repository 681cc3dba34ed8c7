#pragma once
// Finds where an attribute's value sits in the bytes of a start tag the framer has already
// proven well-formed, so a relayed stanza can be rewritten at exactly the bytes the parser
// read as that attribute (never at a look-alike inside another value or a later element).

#include <cstddef>
#include <optional>
#include <string_view>

namespace edgekit::edgeproxy {

struct ByteRange {
  std::size_t offset = 0;
  std::size_t size = 0;
};

// The bytes between the quotes of attribute `name` (exactly as written, e.g. "xmlns") in
// `start_tag` ("<name attr='v' ...>" or "<name .../>"); nullopt when it has no such attribute.
// `start_tag` must be well-formed XML: values contain no unescaped quote of their own kind.
std::optional<ByteRange> find_attribute_value(std::string_view start_tag, std::string_view name);

}  // namespace edgekit::edgeproxy
