#pragma once
// The owning handle for an expat parser: the XMPP stream framer and dnstool's probe each
// parse a stream with one, freed on every path.

#include <memory>

#include <expat.h>

#include "common/c_deleter.hpp"

namespace edgekit::expat {

using ParserPtr = std::unique_ptr<XML_ParserStruct, CDeleter<XML_ParserFree>>;

}  // namespace edgekit::expat
