#include "dnstool/probe_stream.hpp"

#include <algorithm>

#include "common/expat_ptr.hpp"

namespace edgekit::dnstool {
namespace {

constexpr std::string_view kStreamsNs = "http://etherx.jabber.org/streams";
constexpr std::string_view kTlsNs = "urn:ietf:params:xml:ns:xmpp-tls";
constexpr std::string_view kSaslNs = "urn:ietf:params:xml:ns:xmpp-sasl";
constexpr std::string_view kDialbackFeatureNs = "urn:xmpp:features:dialback";
constexpr int kMaxDepth = 16;
constexpr char kSeparator = '|';

// "ns|local" -> {ns, local}
std::pair<std::string_view, std::string_view> split_name(const XML_Char* name) {
  const std::string_view full(name);
  const auto bar = full.rfind(kSeparator);
  if (bar == std::string_view::npos) {
    return {{}, full};
  }
  return {full.substr(0, bar), full.substr(bar + 1)};
}

std::string escape_attribute(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

bool ProbeFeatures::sasl_external() const {
  return std::find(mechanisms.begin(), mechanisms.end(), "EXTERNAL") != mechanisms.end();
}

struct ProbeStreamReader::Impl {
  expat::ParserPtr parser{XML_ParserCreateNS(nullptr, kSeparator)};
  ProbeFeatures features;
  std::string error;
  std::string from;
  bool header = false;
  int depth = 0;
  std::size_t total = 0;
  ProbeEvent event = ProbeEvent::kNeedMore;
  bool in_features = false;
  bool in_mechanism = false;
  std::string text;

  Impl() {
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &Impl::on_start, &Impl::on_end);
    XML_SetCharacterDataHandler(parser.get(), &Impl::on_text);
    XML_SetStartDoctypeDeclHandler(parser.get(), &Impl::on_doctype);
    XML_SetEntityDeclHandler(parser.get(), &Impl::on_entity);
    XML_SetProcessingInstructionHandler(parser.get(), &Impl::on_pi);
    XML_SetCommentHandler(parser.get(), &Impl::on_comment);
  }

  // Records the first decisive event of a feed. The parser keeps going after features and
  // <proceed/> (a well-behaved peer sends nothing more until the probe answers); it is aborted
  // for hostile or final input.
  void stop(ProbeEvent decisive, std::string why = {}) {
    if (event == ProbeEvent::kNeedMore) {
      event = decisive;
      if (!why.empty()) {
        error = std::move(why);
      }
    }
    if (decisive != ProbeEvent::kFeatures && decisive != ProbeEvent::kProceed) {
      XML_StopParser(parser.get(), XML_FALSE);
    }
  }

  static Impl& self(void* data) { return *static_cast<Impl*>(data); }

  static void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto& impl = self(data);
    ++impl.depth;
    if (impl.depth > kMaxDepth) {
      impl.stop(ProbeEvent::kBad, "XML nested too deeply");
      return;
    }
    const auto [ns, local] = split_name(name);
    if (impl.depth == 1) {
      if (ns != kStreamsNs || local != "stream") {
        impl.stop(ProbeEvent::kBad, "not an XMPP stream (<" + std::string(local) + ">)");
        return;
      }
      impl.header = true;
      for (int i = 0; attributes[i] != nullptr; i += 2) {
        if (std::string_view(attributes[i]) == "from") {
          impl.from = std::string(attributes[i + 1]).substr(0, 1024);
        }
      }
      return;
    }
    if (impl.depth == 2) {
      if (ns == kStreamsNs && local == "features") {
        impl.in_features = true;
        impl.features = ProbeFeatures{};
      } else if (ns == kTlsNs && local == "proceed") {
        impl.stop(ProbeEvent::kProceed);
      } else if (ns == kTlsNs && local == "failure") {
        impl.stop(ProbeEvent::kTlsFailure, "the server refused STARTTLS (<failure/>)");
      } else if (ns == kStreamsNs && local == "error") {
        impl.error = "stream error";
      }
      return;
    }
    if (impl.depth == 3 && impl.in_features) {
      if (ns == kTlsNs && local == "starttls") {
        impl.features.starttls = true;
      } else if (ns == kDialbackFeatureNs && local == "dialback") {
        impl.features.dialback = true;
      }
      return;
    }
    if (impl.depth == 3 && !impl.in_features && impl.error == "stream error") {
      impl.error = "stream error: " + std::string(local);
      return;
    }
    if (impl.depth == 4 && impl.in_features) {
      if (ns == kTlsNs && local == "required") {
        impl.features.starttls_required = true;
      } else if (ns == kSaslNs && local == "mechanism") {
        impl.in_mechanism = true;
        impl.text.clear();
      }
    }
  }

  static void on_end(void* data, const XML_Char* name) {
    auto& impl = self(data);
    const auto [ns, local] = split_name(name);
    if (impl.depth == 4 && impl.in_mechanism) {
      impl.in_mechanism = false;
      if (impl.features.mechanisms.size() < 32) {
        impl.features.mechanisms.push_back(impl.text);
      }
    }
    if (impl.depth == 2 && impl.in_features) {
      impl.in_features = false;
      impl.stop(ProbeEvent::kFeatures);
    } else if (impl.depth == 2 && ns == kStreamsNs && local == "error") {
      impl.stop(ProbeEvent::kStreamError);
    } else if (impl.depth == 1) {
      impl.stop(ProbeEvent::kClosed, "the server closed the stream");
    }
    --impl.depth;
  }

  static void on_text(void* data, const XML_Char* text, int length) {
    auto& impl = self(data);
    if (impl.in_mechanism && impl.text.size() < 64) {
      impl.text.append(text, static_cast<std::size_t>(length));
    }
  }

  static void on_doctype(void* data, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                         const XML_Char* /*pubid*/, int /*internal*/) {
    self(data).stop(ProbeEvent::kBad, "DTD in the stream (RFC 6120 §11.1 forbids it)");
  }
  static void on_entity(void* data, const XML_Char* /*name*/, int /*parameter*/,
                        const XML_Char* /*value*/, int /*length*/, const XML_Char* /*base*/,
                        const XML_Char* /*sysid*/, const XML_Char* /*pubid*/,
                        const XML_Char* /*notation*/) {
    self(data).stop(ProbeEvent::kBad, "entity declaration in the stream");
  }
  static void on_pi(void* data, const XML_Char* /*target*/, const XML_Char* /*value*/) {
    self(data).stop(ProbeEvent::kBad, "processing instruction in the stream");
  }
  static void on_comment(void* data, const XML_Char* /*text*/) {
    self(data).stop(ProbeEvent::kBad, "comment in the stream");
  }
};

ProbeStreamReader::ProbeStreamReader() : impl_(std::make_unique<Impl>()) {}
ProbeStreamReader::ProbeStreamReader(ProbeStreamReader&&) noexcept = default;
ProbeStreamReader& ProbeStreamReader::operator=(ProbeStreamReader&&) noexcept = default;
ProbeStreamReader::~ProbeStreamReader() = default;

ProbeEvent ProbeStreamReader::feed(std::string_view bytes) {
  Impl& impl = *impl_;
  if (impl.event == ProbeEvent::kBad || impl.event == ProbeEvent::kClosed ||
      impl.event == ProbeEvent::kStreamError || impl.event == ProbeEvent::kTlsFailure) {
    return impl.event;  // the parser was aborted: the stream is over
  }
  impl.event = ProbeEvent::kNeedMore;
  impl.total += bytes.size();
  if (impl.total > kMaxProbeBytes) {
    impl.event = ProbeEvent::kBad;
    impl.error = "the server sent more than " + std::to_string(kMaxProbeBytes) + " bytes";
    return impl.event;
  }
  const auto result =
      XML_Parse(impl.parser.get(), bytes.data(), static_cast<int>(bytes.size()), XML_FALSE);
  if (result == XML_STATUS_ERROR && impl.event == ProbeEvent::kNeedMore) {
    impl.event = ProbeEvent::kBad;
    impl.error =
        std::string("not well-formed XML: ") + XML_ErrorString(XML_GetErrorCode(impl.parser.get()));
  }
  return impl.event;
}

const ProbeFeatures& ProbeStreamReader::features() const noexcept {
  return impl_->features;
}
const std::string& ProbeStreamReader::error() const noexcept {
  return impl_->error;
}
const std::string& ProbeStreamReader::stream_from() const noexcept {
  return impl_->from;
}
bool ProbeStreamReader::header_seen() const noexcept {
  return impl_->header;
}

std::string probe_stream_header(std::string_view domain) {
  return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
         "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
         "to='" +
         escape_attribute(domain) + "' version='1.0'>";
}

}  // namespace edgekit::dnstool
