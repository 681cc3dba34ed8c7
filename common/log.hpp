#pragma once
// The logging facade: one event a line on stderr, as text or JSON. Each event has a stable
// name ("stream.opened"), and structured fields such as the connection id ("conn"), the
// partner domain ("partner") and a reason code ("reason"). Never pass key material or, above
// debug, stanza bodies.

#include <atomic>
#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgekit {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

struct LogField {
  std::string_view key;
  std::string value;
};

class Logger {
 public:
  static Logger& global();

  void configure(LogFormat format, LogLevel min_level);
  void set_stream(std::ostream* out);  // for tests; default std::cerr
  // Text lines without our own timestamp: when stderr is the journal, which stamps each line
  // itself (stderr_is_journal()).
  void set_timestamps(bool on);
  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= min_level_; }

  void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);
  void log(LogLevel level, std::string_view event, const std::vector<LogField>& fields);

  // Formats one line without writing it (used by log() and by tests).
  [[nodiscard]] std::string format_line(LogLevel level, std::string_view event,
                                        const LogField* first, std::size_t count) const;

 private:
  void write(LogLevel level, std::string_view event, const LogField* first, std::size_t count);

  LogFormat format_ = LogFormat::kText;
  bool timestamps_ = true;
  std::atomic<LogLevel> min_level_{LogLevel::kInfo};
  std::ostream* out_ = nullptr;
  std::mutex mutex_;
};

std::string_view to_string(LogLevel level) noexcept;
// True when systemd's $JOURNAL_STREAM ("device:inode") names the file behind stderr, i.e. the
// process runs as a service whose stderr goes to the journal.
bool stderr_is_journal() noexcept;
bool stderr_is_journal(const char* journal_stream, int fd) noexcept;
bool parse_log_format(std::string_view text, LogFormat& out) noexcept;
bool parse_log_level(std::string_view text, LogLevel& out) noexcept;

inline void log_debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
  if (Logger::global().enabled(LogLevel::kDebug)) {
    Logger::global().log(LogLevel::kDebug, event, fields);
  }
}
inline void log_info(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::global().log(LogLevel::kInfo, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::global().log(LogLevel::kWarn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::global().log(LogLevel::kError, event, fields);
}

}  // namespace edgekit
