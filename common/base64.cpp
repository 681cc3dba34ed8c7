#include "common/base64.hpp"

#include <cstdint>

namespace edgekit {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += alphabet[v & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) {
    return out;
  }
  const std::uint32_t v = (byte(i) << 16U) | (rest == 2 ? byte(i + 1) << 8U : 0U);
  out += alphabet[(v >> 18U) & 63U];
  out += alphabet[(v >> 12U) & 63U];
  if (rest == 2) {
    out += alphabet[(v >> 6U) & 63U];
  }
  if (pad) {
    out.append(3 - rest, '=');
  }
  return out;
}

int decode_char(char c, std::string_view alphabet) noexcept {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == alphabet[62]) {
    return 62;
  }
  if (c == alphabet[63]) {
    return 63;
  }
  return -1;
}

// Appends one 6-bit group; a full byte is emitted whenever 8 bits are available.
struct Accumulator {
  std::uint32_t bits_value = 0;
  int bits = 0;

  void push(int value, std::string& out) {
    bits_value = (bits_value << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((bits_value >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  [[nodiscard]] bool leftover_zero() const noexcept {
    return bits == 0 || (bits_value & ((1U << static_cast<unsigned>(bits)) - 1U)) == 0;
  }
};

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStandard, true);
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrl, false);
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  Accumulator accumulator;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      ++padding;
      continue;
    }
    const int value = decode_char(c, kStandard);
    if (padding > 0 || value < 0) {
      return std::nullopt;
    }
    accumulator.push(value, out);
  }
  if (padding > 2) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  Accumulator accumulator;
  for (const char c : text) {
    const int value = decode_char(c, kUrl);
    if (value < 0) {
      return std::nullopt;
    }
    accumulator.push(value, out);
  }
  if (!accumulator.leftover_zero()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace edgekit
