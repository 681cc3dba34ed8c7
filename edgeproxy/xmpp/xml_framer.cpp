#include "edgeproxy/xmpp/xml_framer.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

#include "common/expat_ptr.hpp"
#include "common/jid.hpp"
#include "edgeproxy/xmpp/start_tag.hpp"

namespace edgekit::edgeproxy {
namespace {

constexpr std::size_t kRetainedBufferBytes = std::size_t{16} * 1024;

constexpr char kNsSeparator = ' ';
constexpr std::size_t kMaxChildren = 64;

// Expat in namespace mode with triplets reports "uri local prefix", "uri local" or "local".
struct QName {
  std::string_view ns;
  std::string_view local;
  std::string_view prefix;
};

QName split_qname(const XML_Char* raw) {
  const std::string_view name(raw);
  QName result;
  const auto first = name.find(kNsSeparator);
  if (first == std::string_view::npos) {
    result.local = name;
    return result;
  }
  result.ns = name.substr(0, first);
  const auto second = name.find(kNsSeparator, first + 1);
  if (second == std::string_view::npos) {
    result.local = name.substr(first + 1);
  } else {
    result.local = name.substr(first + 1, second - first - 1);
    result.prefix = name.substr(second + 1);
  }
  return result;
}

// The first bytes of a stream that make expat read it as something other than UTF-8 whatever
// encoding it was created with: a UTF-16 byte order mark, or a NUL (UTF-16/UTF-32 without a
// mark; expat guesses UTF-16 from "<\0" or "\0<"). NUL is never XML, so nothing is lost.
constexpr std::size_t kEncodingSniffBytes = 4;

bool names_foreign_encoding(std::string_view first_bytes) {
  return first_bytes.find('\0') != std::string_view::npos ||
         first_bytes.substr(0, 2) == "\xFE\xFF" || first_bytes.substr(0, 2) == "\xFF\xFE";
}

bool is_whitespace(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

}  // namespace

bool Element::has_child(std::string_view child_ns, std::string_view child_name) const {
  return find_child(child_ns, child_name) != nullptr;
}

std::string_view Element::attribute(std::string_view key) const {
  for (const auto& [attr_name, value] : attributes) {
    if (attr_name == key) {
      return value;
    }
  }
  return {};
}

const ChildElement* Element::find_child(std::string_view child_ns,
                                        std::string_view child_name) const {
  for (const auto& child : children) {
    if (child.name == child_name && child.ns == child_ns) {
      return &child;
    }
  }
  return nullptr;
}

struct XmlFramer::Impl {
  XmlFramer* owner = nullptr;
  expat::ParserPtr parser;
  std::vector<FrameEvent> events;

  // Bytes from previous feeds still needed (a partial element), starting at buffer_base.
  std::string buffer;
  long long buffer_base = 0;
  // The bytes of the current feed, starting at chunk_base.
  std::string_view chunk;
  long long chunk_base = 0;

  int depth = 0;
  bool stream_open = false;
  bool closed = false;
  long long element_start = 0;
  long long processed_end = 0;  // everything before this is no longer needed
  long long last_start_end = 0;
  Element current;
  std::size_t current_elements = 0;  // elements of the current top-level element so far
  // Prefixes declared inside the current element and still in scope (innermost last).
  std::vector<std::string> element_prefixes;
  std::string stream_start;  // the first bytes of this stream, for the encoding check
  bool pending_default_decl = false;
  std::string pending_default_ns;
  StreamHeader header;
  bool failing = false;
  FramerFailure failure;

  void create() {
    parser.reset(XML_ParserCreateNS("UTF-8", kNsSeparator));
    XML_SetReturnNSTriplet(parser.get(), 1);
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &Impl::on_start, &Impl::on_end);
    XML_SetCharacterDataHandler(parser.get(), &Impl::on_text);
    XML_SetNamespaceDeclHandler(parser.get(), &Impl::on_ns_start, &Impl::on_ns_end);
    XML_SetCommentHandler(parser.get(), &Impl::on_comment);
    XML_SetProcessingInstructionHandler(parser.get(), &Impl::on_pi);
    XML_SetStartDoctypeDeclHandler(parser.get(), &Impl::on_doctype);
    XML_SetEntityDeclHandler(parser.get(), &Impl::on_entity_decl);
    XML_SetXmlDeclHandler(parser.get(), &Impl::on_xml_decl);
    XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  }

  void reset_state() {
    buffer.clear();
    buffer_base = 0;
    depth = 0;
    stream_open = false;
    closed = false;
    element_start = 0;
    processed_end = 0;
    last_start_end = 0;
    element_prefixes.clear();
    stream_start.clear();
    pending_default_decl = false;
    header = StreamHeader{};
  }

  // Takes the first bytes of the stream from `bytes`; true when they name an encoding other
  // than UTF-8, which the stream must then be refused for before expat switches to it.
  bool refuses_encoding(std::string_view bytes) {
    if (stream_start.size() >= kEncodingSniffBytes) {
      return false;
    }
    stream_start.append(bytes.substr(0, kEncodingSniffBytes - stream_start.size()));
    return names_foreign_encoding(stream_start);
  }

  // The current top-level element, from its first byte to `end`, is over the size cap. Checked
  // as each token is parsed, so a stanza arriving in one read is held to the cap too.
  bool over_stanza_cap(long long end) {
    if (static_cast<std::size_t>(end - element_start) > owner->limits_.max_stanza_bytes) {
      fail(StreamError::kPolicyViolation, "stanza-too-large");
      return true;
    }
    return false;
  }

  void fail(StreamError condition, std::string reason) {
    if (!failing) {
      failing = true;
      failure = FramerFailure{condition, std::move(reason)};
    }
    XML_StopParser(parser.get(), XML_FALSE);
  }

  [[nodiscard]] long long index() const { return XML_GetCurrentByteIndex(parser.get()); }
  [[nodiscard]] long long token_end() const {
    return XML_GetCurrentByteIndex(parser.get()) + XML_GetCurrentByteCount(parser.get());
  }

  // The bytes [from, to) of the stream, from the carried-over buffer and the current chunk.
  void copy_range(long long from, long long to, std::string& out) const {
    out.clear();
    const auto size = static_cast<std::size_t>(to - from);
    out.reserve(size);
    if (from < chunk_base) {
      const auto begin = static_cast<std::size_t>(from - buffer_base);
      const auto end = std::min(buffer.size(), static_cast<std::size_t>(to - buffer_base));
      out.append(buffer, begin, end - begin);
      from = chunk_base;
    }
    if (to > from) {
      out.append(chunk.substr(static_cast<std::size_t>(from - chunk_base),
                              static_cast<std::size_t>(to - from)));
    }
  }

  static Impl& self(void* data) { return *static_cast<Impl*>(data); }

  static void XMLCALL on_ns_start(void* data, const XML_Char* prefix, const XML_Char* uri) {
    auto& impl = self(data);
    if (impl.depth == 0) {
      if (prefix == nullptr) {
        impl.header.default_ns = uri != nullptr ? uri : "";
      } else if (uri != nullptr && std::string_view(uri) == kNsDialback) {
        impl.header.dialback_ns = true;
      }
      return;
    }
    if (prefix != nullptr) {
      impl.element_prefixes.emplace_back(prefix);
    } else if (impl.depth == 1) {
      impl.pending_default_decl = true;
      impl.pending_default_ns = uri != nullptr ? uri : "";
    }
  }

  // A declaration's scope ended (after its element's end): a later sibling using the prefix
  // gets the stream header's binding, which is not the stanza's own.
  static void XMLCALL on_ns_end(void* data, const XML_Char* prefix) {
    auto& prefixes = self(data).element_prefixes;
    if (prefix == nullptr) {
      return;
    }
    const auto it = std::find(prefixes.rbegin(), prefixes.rend(), std::string_view(prefix));
    if (it != prefixes.rend()) {
      prefixes.erase(std::next(it).base());
    }
  }

  static void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
    auto& impl = self(data);
    if (impl.failing) {
      return;
    }
    const QName qname = split_qname(name);
    if (impl.depth == 0) {
      impl.open_stream(qname, attrs);
      return;
    }
    ++impl.depth;
    if (impl.depth > impl.owner->limits_.max_depth) {
      impl.fail(StreamError::kPolicyViolation, "xml-depth");
      return;
    }
    if (impl.depth == 2) {
      impl.start_top_level(qname, attrs);
      if (impl.failing) {
        return;
      }
    } else if (!impl.current.is_stanza) {
      if (impl.current.children.size() < kMaxChildren) {
        impl.current.children.push_back(
            ChildElement{std::string(qname.ns), std::string(qname.local), impl.depth - 2, {}});
      }
    }
    if (++impl.current_elements > impl.owner->limits_.max_stanza_elements) {
      impl.fail(StreamError::kPolicyViolation, "stanza-too-many-elements");
      return;
    }
    if (impl.over_stanza_cap(impl.token_end())) {
      return;
    }
    if (impl.current.is_stanza && !impl.stands_alone(qname, attrs)) {
      // A prefix declared on the stream header: the raw bytes would not mean the same inside.
      impl.fail(StreamError::kInvalidNamespace, "stanza-stream-prefix");
    }
  }

  // Every prefix of the element's name and of its attributes is declared inside the stanza.
  [[nodiscard]] bool stands_alone(const QName& qname, const XML_Char** attrs) const {
    if (!qname.prefix.empty() && !prefix_declared(qname.prefix)) {
      return false;
    }
    for (const XML_Char** attr = attrs; attr[0] != nullptr; attr += 2) {
      const QName attribute = split_qname(attr[0]);
      if (!attribute.prefix.empty() && !prefix_declared(attribute.prefix)) {
        return false;
      }
    }
    return true;
  }

  [[nodiscard]] bool prefix_declared(std::string_view prefix) const {
    if (prefix == "xml") {
      return true;
    }
    return std::find(element_prefixes.begin(), element_prefixes.end(), prefix) !=
           element_prefixes.end();
  }

  void open_stream(const QName& qname, const XML_Char** attrs) {
    if (qname.local != "stream" || qname.ns != kNsStreams) {
      fail(qname.local == "stream" ? StreamError::kInvalidNamespace : StreamError::kBadFormat,
           "stream-header");
      return;
    }
    if (header.default_ns != owner->expected_ns_) {
      fail(StreamError::kInvalidNamespace, "stream-namespace");
      return;
    }
    for (const XML_Char** attr = attrs; attr[0] != nullptr; attr += 2) {
      const std::string_view key(attr[0]);
      if (key == "from") {
        header.from = attr[1];
      } else if (key == "to") {
        header.to = attr[1];
      } else if (key == "id") {
        header.id = attr[1];
      } else if (key == "version") {
        header.version = attr[1];
      }
    }
    if (static_cast<std::size_t>(token_end()) > owner->limits_.max_header_bytes) {
      fail(StreamError::kPolicyViolation, "header-too-large");
      return;
    }
    depth = 1;
    stream_open = true;
    processed_end = token_end();
    FrameEvent event;
    event.kind = FrameEventKind::kStreamOpen;
    event.header = std::move(header);
    header = StreamHeader{};
    events.push_back(std::move(event));
  }

  void start_top_level(const QName& qname, const XML_Char** attrs) {
    current = Element{};
    current_elements = 0;
    element_start = index();
    last_start_end = token_end();
    if (!owner->authenticated_ && ++owner->preauth_elements_ > owner->limits_.preauth_elements) {
      fail(StreamError::kPolicyViolation, "preauth-limit");
      return;
    }
    current.ns = qname.ns;
    current.name = qname.local;
    current.is_stanza =
        qname.ns == owner->expected_ns_ &&
        (qname.local == "message" || qname.local == "presence" || qname.local == "iq");
    if (current.is_stanza && !qname.prefix.empty()) {
      // <x:message xmlns:x='jabber:server'>: the relay could not rewrite its namespace.
      fail(StreamError::kBadNamespacePrefix, "stanza-prefixed");
      return;
    }
    if (pending_default_decl) {
      if (pending_default_ns != owner->expected_ns_) {
        current.is_stanza = false;
      } else {
        current.declares_default_ns = true;
        locate_default_ns();
      }
    }
    pending_default_decl = false;
    for (const XML_Char** attr = attrs; attr[0] != nullptr; attr += 2) {
      const std::string_view key(attr[0]);
      if (key == "from") {
        current.from = attr[1];
      } else if (key == "to") {
        current.to = attr[1];
      } else if (key == "type") {
        current.type = attr[1];
      } else if (key == "id") {
        current.id = attr[1];
      }
      if (!current.is_stanza) {
        current.attributes.emplace_back(key, attr[1]);
      }
    }
  }

  // Where the start tag the parser just read declares the default namespace, for the relay.
  void locate_default_ns() {
    std::string start_tag;
    copy_range(element_start, last_start_end, start_tag);
    if (const auto value = find_attribute_value(start_tag, "xmlns")) {
      current.default_ns_offset = value->offset;
      current.default_ns_size = value->size;
    } else {
      // Not reachable for a tag expat accepted; relaying it unrewritten would be wrong.
      fail(StreamError::kInternalServerError, "stanza-default-ns");
    }
  }

  static void XMLCALL on_end(void* data, const XML_Char* /*name*/) {
    auto& impl = self(data);
    if (impl.failing) {
      return;
    }
    if (impl.depth == 1) {
      impl.depth = 0;
      impl.closed = true;
      impl.processed_end = impl.token_end();
      FrameEvent event;
      event.kind = FrameEventKind::kStreamClose;
      impl.events.push_back(std::move(event));
      XML_StopParser(impl.parser.get(), XML_FALSE);
      return;
    }
    if (impl.depth == 2) {
      // An empty-element tag reports no bytes of its own for the end event.
      const long long count = XML_GetCurrentByteCount(impl.parser.get());
      const long long end = count == 0 ? impl.last_start_end : impl.token_end();
      if (impl.over_stanza_cap(end)) {
        return;
      }
      FrameEvent event;
      event.kind = FrameEventKind::kElement;
      event.element = std::move(impl.current);
      impl.copy_range(impl.element_start, end, event.element.raw);
      impl.events.push_back(std::move(event));
      impl.current = Element{};
      impl.element_prefixes.clear();
      impl.processed_end = end;
    }
    --impl.depth;
  }

  static void XMLCALL on_text(void* data, const XML_Char* text, int length) {
    auto& impl = self(data);
    if (impl.failing) {
      return;
    }
    const std::string_view chars(text, static_cast<std::size_t>(length));
    if (impl.depth == 1) {
      if (!is_whitespace(chars)) {
        impl.fail(StreamError::kBadFormat, "stream-text");
        return;
      }
      impl.processed_end = impl.token_end();
      return;
    }
    if (impl.over_stanza_cap(impl.token_end()) || impl.current.is_stanza) {
      return;
    }
    if (impl.depth == 2) {
      impl.current.text.append(chars);
    } else if (!impl.current.children.empty() &&
               impl.current.children.back().depth == impl.depth - 2) {
      impl.current.children.back().text.append(chars);
    }
  }

  static void XMLCALL on_comment(void* data, const XML_Char* /*text*/) {
    self(data).fail(StreamError::kRestrictedXml, "xml-comment");
  }
  static void XMLCALL on_pi(void* data, const XML_Char* /*target*/, const XML_Char* /*pi*/) {
    self(data).fail(StreamError::kRestrictedXml, "xml-processing-instruction");
  }
  static void XMLCALL on_doctype(void* data, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                                 const XML_Char* /*pubid*/, int /*has_internal*/) {
    self(data).fail(StreamError::kRestrictedXml, "xml-dtd");
  }
  static void XMLCALL on_entity_decl(void* data, const XML_Char* /*name*/, int /*param*/,
                                     const XML_Char* /*value*/, int /*length*/,
                                     const XML_Char* /*base*/, const XML_Char* /*sysid*/,
                                     const XML_Char* /*pubid*/, const XML_Char* /*notation*/) {
    self(data).fail(StreamError::kRestrictedXml, "xml-entity");
  }
  static void XMLCALL on_xml_decl(void* data, const XML_Char* /*version*/, const XML_Char* encoding,
                                  int /*standalone*/) {
    if (encoding != nullptr && !iequals_ascii(encoding, "UTF-8")) {
      self(data).fail(StreamError::kUnsupportedEncoding, "xml-encoding");
    }
  }

  void map_expat_error() {
    const XML_Error code = XML_GetErrorCode(parser.get());
    switch (code) {
      case XML_ERROR_UNDEFINED_ENTITY:
      case XML_ERROR_RECURSIVE_ENTITY_REF:
      case XML_ERROR_EXTERNAL_ENTITY_HANDLING:
      case XML_ERROR_ENTITY_DECLARED_IN_PE: fail(StreamError::kRestrictedXml, "xml-entity"); break;
      case XML_ERROR_UNBOUND_PREFIX: fail(StreamError::kNotWellFormed, "xml-unbound-prefix"); break;
      case XML_ERROR_INVALID_TOKEN:
      case XML_ERROR_PARTIAL_CHAR:
      case XML_ERROR_BAD_CHAR_REF:
      case XML_ERROR_INCORRECT_ENCODING:
        fail(StreamError::kNotWellFormed, "xml-invalid-char");
        break;
      case XML_ERROR_UNKNOWN_ENCODING:
        fail(StreamError::kUnsupportedEncoding, "xml-encoding");
        break;
      default: fail(StreamError::kNotWellFormed, "xml-not-well-formed"); break;
    }
  }
};

XmlFramer::XmlFramer(std::string_view expected_ns, FramerLimits limits)
    : expected_ns_(expected_ns), limits_(limits), impl_(std::make_unique<Impl>()) {
  impl_->owner = this;
  impl_->create();
}

XmlFramer::~XmlFramer() = default;

void XmlFramer::restart() {
  if (failed_) {
    return;
  }
  impl_->create();
  impl_->reset_state();
}

std::vector<FrameEvent>& XmlFramer::feed(std::string_view bytes) {
  auto& impl = *impl_;
  impl.events.clear();
  if (failed_ || impl.closed || bytes.empty()) {
    return impl.events;
  }
  total_bytes_ += bytes.size();
  if (!authenticated_ && total_bytes_ > limits_.preauth_bytes) {
    impl.failing = true;
    impl.failure = FramerFailure{StreamError::kPolicyViolation, "preauth-bytes"};
  } else if (impl.refuses_encoding(bytes)) {
    impl.failing = true;
    impl.failure = FramerFailure{StreamError::kUnsupportedEncoding, "xml-encoding"};
  } else {
    impl.chunk = bytes;
    impl.chunk_base = impl.buffer_base + static_cast<long long>(impl.buffer.size());
    const XML_Status status =
        XML_Parse(impl.parser.get(), bytes.data(), static_cast<int>(bytes.size()), XML_FALSE);
    if (status == XML_STATUS_ERROR && !impl.failing && !impl.closed) {
      impl.map_expat_error();
    }
  }
  if (!impl.failing && !impl.closed) {
    // Keep only what a later element still needs: the current partial element.
    const long long keep_from = impl.depth >= 2 ? impl.element_start : impl.processed_end;
    if (keep_from >= impl.chunk_base) {
      impl.buffer.assign(bytes.substr(static_cast<std::size_t>(keep_from - impl.chunk_base)));
    } else {
      impl.buffer.erase(0, static_cast<std::size_t>(keep_from - impl.buffer_base));
      impl.buffer.append(bytes);
    }
    impl.buffer_base = keep_from;
    // A stream that once carried a large stanza must not keep that buffer for the rest of its
    // life (thousands of idle streams): give back capacity beyond what typical stanzas need.
    if (impl.buffer.capacity() > kRetainedBufferBytes &&
        impl.buffer.size() <= kRetainedBufferBytes / 2) {
      impl.buffer.shrink_to_fit();
    }
    const std::size_t cap = impl.stream_open ? limits_.max_stanza_bytes : limits_.max_header_bytes;
    if (impl.buffer.size() > cap) {
      impl.failing = true;
      impl.failure = FramerFailure{StreamError::kPolicyViolation,
                                   impl.stream_open ? "stanza-too-large" : "header-too-large"};
    }
  }
  impl.chunk = {};
  if (impl.failing) {
    failed_ = true;
    FrameEvent event;
    event.kind = FrameEventKind::kError;
    event.failure = std::move(impl.failure);
    impl.events.push_back(std::move(event));
  }
  return impl.events;
}

}  // namespace edgekit::edgeproxy
