#include "edgeproxy/xml_util.hpp"

#include <array>
#include <cstdint>

#include "common/jid.hpp"

namespace edgekit::edgeproxy {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c; break;
    }
  }
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

void append_attribute(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) {
    return;
  }
  out += ' ';
  out += key;
  out += "='";
  append_escaped(out, value);
  out += '\'';
}

std::string jid_domain_lower(std::string_view jid) {
  return to_lower_ascii(jid_domain_view(jid));
}

std::string bare_jid(std::string_view jid) {
  const auto slash = jid.find('/');
  const std::string_view bare = jid.substr(0, slash);
  const auto at = bare.find('@');
  if (at == std::string_view::npos) {
    return to_lower_ascii(bare);
  }
  std::string out(bare.substr(0, at + 1));
  out += to_lower_ascii(bare.substr(at + 1));
  return out;
}

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}
}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U) |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += kAlphabet[(n >> 6U) & 63U];
    out += kAlphabet[n & 63U];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16U;
    if (rest == 2) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8U;
    }
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  std::uint32_t accumulator = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) {
      return false;
    }
    const int value = decode_char(c);
    if (value < 0) {
      return false;
    }
    accumulator = (accumulator << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return padding <= 2;
}

}  // namespace edgekit::edgeproxy
