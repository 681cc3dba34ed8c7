#include "certtool/acme/http.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "common/http.hpp"
#include "common/jid.hpp"

namespace edgekit::certtool::acme {
namespace {

using http::trim_ows;

// Splits on `separator` outside <...> and "..." so URLs and quoted values may contain it.
std::vector<std::string_view> split_outside(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  bool in_angle = false;
  bool in_quote = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quote) {
      if (c == '"') {
        in_quote = false;
      }
    } else if (c == '"') {
      in_quote = true;
    } else if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (c == separator && !in_angle) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool rel_matches(std::string_view value, std::string_view rel) {
  value = trim_ows(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  // rel may hold several space-separated relation types.
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto end = value.find(' ', start);
    const auto token =
        value.substr(start, end == std::string_view::npos ? value.npos : end - start);
    if (iequals_ascii(token, rel)) {
      return true;
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals_ascii(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers) {
    if (iequals_ascii(key, name)) {
      out.push_back(value);
    }
  }
  return out;
}

std::vector<std::string> link_urls(const HttpResponse& response, std::string_view rel) {
  std::vector<std::string> urls;
  for (const auto& value : response.headers_named("link")) {
    for (auto entry : split_outside(value, ',')) {
      entry = trim_ows(entry);
      if (entry.empty() || entry.front() != '<') {
        continue;
      }
      const auto close = entry.find('>');
      if (close == std::string_view::npos) {
        continue;
      }
      const auto url = entry.substr(1, close - 1);
      bool wanted = false;
      for (auto param : split_outside(entry.substr(close + 1), ';')) {
        param = trim_ows(param);
        const auto eq = param.find('=');
        if (eq != std::string_view::npos && iequals_ascii(trim_ows(param.substr(0, eq)), "rel") &&
            rel_matches(param.substr(eq + 1), rel)) {
          wanted = true;
        }
      }
      if (wanted && !url.empty()) {
        urls.emplace_back(url);
      }
    }
  }
  return urls;
}

std::optional<std::chrono::seconds> retry_after(const HttpResponse& response) {
  // Anything longer than a day is clamped: the flow caps its waits far below that, and huge
  // values must not overflow the clock arithmetic (found by the fuzzer).
  constexpr long long kMaxSeconds = 86400;
  const auto value = response.header("retry-after");
  if (!value) {
    return std::nullopt;
  }
  const std::string_view text = trim_ows(*value);
  long long seconds = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds);
  if (ptr == end && ec == std::errc::result_out_of_range && !text.empty() && text[0] != '-') {
    return std::chrono::seconds(kMaxSeconds);
  }
  if (ec == std::errc() && ptr == end) {
    return seconds < 0 ? std::nullopt
                       : std::optional(std::chrono::seconds(std::min(seconds, kMaxSeconds)));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string copy(text);
  const char* parsed = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') {
    return std::nullopt;
  }
  const auto when = static_cast<long long>(timegm(&tm));
  const auto now = static_cast<long long>(std::chrono::system_clock::to_time_t(response.received));
  if (when <= now) {
    return std::chrono::seconds(0);
  }
  return std::chrono::seconds(std::min(when - now, kMaxSeconds));
}

std::optional<std::pair<std::string, std::string>> parse_header_line(std::string_view line) {
  return http::parse_header_line(line);
}

}  // namespace edgekit::certtool::acme
