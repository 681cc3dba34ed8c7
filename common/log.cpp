#include "common/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace edgekit {
namespace {

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     millis);
}

// Text values are quoted when they would otherwise be ambiguous to split on spaces.
void append_text_value(std::string& line, std::string_view value) {
  const bool needs_quotes =
      value.empty() || value.find_first_of(" \"=\t\r\n\\") != std::string_view::npos;
  if (!needs_quotes) {
    line += value;
    return;
  }
  line += '"';
  for (const char c : value) {
    switch (c) {
      case '"': line += "\\\""; break;
      case '\\': line += "\\\\"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      case '\t': line += "\\t"; break;
      default: line += c;
    }
  }
  line += '"';
}

}  // namespace

Logger& Logger::global() {
  static Logger logger;
  return logger;
}

void Logger::configure(LogFormat format, LogLevel min_level) {
  const std::lock_guard lock(mutex_);
  format_ = format;
  min_level_.store(min_level);
}

void Logger::set_stream(std::ostream* out) {
  const std::lock_guard lock(mutex_);
  out_ = out;
}

void Logger::set_timestamps(bool on) {
  const std::lock_guard lock(mutex_);
  timestamps_ = on;
}

std::string Logger::format_line(LogLevel level, std::string_view event, const LogField* first,
                                std::size_t count) const {
  if (format_ == LogFormat::kJson) {
    nlohmann::ordered_json object;
    object["ts"] = utc_timestamp();
    object["level"] = to_string(level);
    object["event"] = event;
    for (std::size_t i = 0; i < count; ++i) {
      object[std::string(first[i].key)] = first[i].value;
    }
    // Replace invalid UTF-8 instead of throwing: peer-supplied text can be anything.
    return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line;
  if (timestamps_) {
    line = utc_timestamp();
    line += ' ';
  }
  line += to_string(level);
  line += ' ';
  line += event;
  for (std::size_t i = 0; i < count; ++i) {
    line += ' ';
    line += first[i].key;
    line += '=';
    append_text_value(line, first[i].value);
  }
  return line;
}

void Logger::log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  write(level, event, fields.begin(), fields.size());
}

void Logger::log(LogLevel level, std::string_view event, const std::vector<LogField>& fields) {
  write(level, event, fields.data(), fields.size());
}

void Logger::write(LogLevel level, std::string_view event, const LogField* first,
                   std::size_t count) {
  if (!enabled(level)) {
    return;
  }
  const std::string line = format_line(level, event, first, count);
  const std::lock_guard lock(mutex_);
  std::ostream& out = out_ != nullptr ? *out_ : std::cerr;
  out << line << '\n';
  out.flush();
}

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

bool parse_log_format(std::string_view text, LogFormat& out) noexcept {
  if (text == "text") {
    out = LogFormat::kText;
    return true;
  }
  if (text == "json") {
    out = LogFormat::kJson;
    return true;
  }
  return false;
}

bool parse_log_level(std::string_view text, LogLevel& out) noexcept {
  if (text == "debug") {
    out = LogLevel::kDebug;
  } else if (text == "info") {
    out = LogLevel::kInfo;
  } else if (text == "warn") {
    out = LogLevel::kWarn;
  } else if (text == "error") {
    out = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

bool stderr_is_journal(const char* journal_stream, int fd) noexcept {
  if (journal_stream == nullptr || *journal_stream == '\0') {
    return false;
  }
  unsigned long long device = 0;
  unsigned long long inode = 0;
  char extra = 0;
  // NOLINTNEXTLINE(cert-err34-c): the count of fields converted is checked
  if (std::sscanf(journal_stream, "%llu:%llu%c", &device, &inode, &extra) != 2) {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return false;
  }
  return static_cast<unsigned long long>(st.st_dev) == device &&
         static_cast<unsigned long long>(st.st_ino) == inode;
}

bool stderr_is_journal() noexcept {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up
  return stderr_is_journal(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

}  // namespace edgekit
