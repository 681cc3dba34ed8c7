// Fuzzes the XML stream framer: arbitrary bytes, split at a fuzzer-chosen point, must never
// crash, and every element handed out must be a complete slice of the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edgeproxy/xmpp/xml_framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = input.empty() ? 0 : data[0] % (input.size() + 1);
  using edgekit::edgeproxy::FrameEventKind;
  edgekit::edgeproxy::XmlFramer framer(
      edgekit::edgeproxy::kNsServer,
      edgekit::edgeproxy::FramerLimits{.max_stanza_bytes = 4096, .preauth_bytes = 1 << 20});
  for (const std::string_view part : {input.substr(0, split), input.substr(split)}) {
    for (const auto& event : framer.feed(part)) {
      if (event.kind == FrameEventKind::kElement &&
          input.find(event.element.raw) == std::string_view::npos) {
        __builtin_trap();  // raw bytes must be a contiguous slice of what was fed
      }
      // The relay rewrites the default namespace at this range: it must be a quoted value
      // inside the element's start tag.
      const auto& element = event.element;
      if (event.kind == FrameEventKind::kElement && element.declares_default_ns &&
          (element.default_ns_offset == 0 ||
           element.default_ns_offset + element.default_ns_size >= element.raw.size() ||
           element.raw[element.default_ns_offset - 1] !=
               element.raw[element.default_ns_offset + element.default_ns_size])) {
        __builtin_trap();
      }
      if (event.kind == FrameEventKind::kStreamOpen) {
        framer.set_authenticated();
      }
    }
  }
  return 0;
}
