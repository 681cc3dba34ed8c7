#pragma once
// Durations in the deployment file: "250ms", "60s", "10m", "2h", "1d"; a bare number of
// seconds is refused so that "60" is never silently read as milliseconds or minutes.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace edgekit {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds value);

}  // namespace edgekit
