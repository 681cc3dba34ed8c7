#include "common/duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace edgekit {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || ptr == begin) {
    return std::nullopt;
  }
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  std::uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return std::nullopt;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (number > kMax / factor) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(number * factor));
}

std::string format_duration(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms % 86'400'000 == 0 && ms != 0) {
    return std::to_string(ms / 86'400'000) + "d";
  }
  if (ms % 3'600'000 == 0 && ms != 0) {
    return std::to_string(ms / 3'600'000) + "h";
  }
  if (ms % 60'000 == 0 && ms != 0) {
    return std::to_string(ms / 60'000) + "m";
  }
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + "s";
  }
  return std::to_string(ms) + "ms";
}

}  // namespace edgekit
