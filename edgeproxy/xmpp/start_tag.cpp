#include "edgeproxy/xmpp/start_tag.hpp"

namespace edgekit::edgeproxy {
namespace {

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::size_t skip_spaces(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_xml_space(text[pos])) {
    ++pos;
  }
  return pos;
}

}  // namespace

std::optional<ByteRange> find_attribute_value(std::string_view start_tag, std::string_view name) {
  if (start_tag.empty() || start_tag.front() != '<') {
    return std::nullopt;
  }
  // The element name: up to the first space, '/' or '>'.
  std::size_t pos = 1;
  while (pos < start_tag.size() && !is_xml_space(start_tag[pos]) && start_tag[pos] != '/' &&
         start_tag[pos] != '>') {
    ++pos;
  }
  while (true) {
    pos = skip_spaces(start_tag, pos);
    if (pos >= start_tag.size() || start_tag[pos] == '/' || start_tag[pos] == '>') {
      return std::nullopt;
    }
    const std::size_t name_begin = pos;
    while (pos < start_tag.size() && start_tag[pos] != '=' && !is_xml_space(start_tag[pos])) {
      ++pos;
    }
    const std::string_view attribute_name = start_tag.substr(name_begin, pos - name_begin);
    pos = skip_spaces(start_tag, pos);
    if (pos >= start_tag.size() || start_tag[pos] != '=') {
      return std::nullopt;
    }
    pos = skip_spaces(start_tag, pos + 1);
    if (pos >= start_tag.size() || (start_tag[pos] != '\'' && start_tag[pos] != '"')) {
      return std::nullopt;
    }
    const char quote = start_tag[pos];
    const std::size_t value_begin = pos + 1;
    const std::size_t value_end = start_tag.find(quote, value_begin);
    if (value_end == std::string_view::npos) {
      return std::nullopt;
    }
    if (attribute_name == name) {
      return ByteRange{value_begin, value_end - value_begin};
    }
    pos = value_end + 1;
  }
}

}  // namespace edgekit::edgeproxy
