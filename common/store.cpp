#include "common/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "common/crypto.hpp"

namespace edgekit {
namespace fs = std::filesystem;
namespace {

class StoreCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "store"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<StoreErrc>(value)) {
      case StoreErrc::kUnavailable: return "store unavailable";
      case StoreErrc::kLocked: return "store locked by another process";
      case StoreErrc::kMissing: return "not in the store";
      case StoreErrc::kCorrupt: return "corrupt store entry";
      case StoreErrc::kUnsafePath: return "path outside the store";
    }
    return "store error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    return static_cast<StoreErrc>(value) == StoreErrc::kUnsafePath ? ExitCode::kUsage
                                                                   : ExitCode::kOperational;
  }
};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string temp_suffix() {
  return fmt::format(".tmp-{}-{}", ::getpid(), crypto::random_hex(8));
}

Result<void> make_private_dirs(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    return ok();
  }
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (auto parent = make_private_dirs(dir.parent_path()); !parent) {
      return parent;
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return io_error(dir.string(), errno);
  }
  return ok();
}

}  // namespace

const EdgekitCategory& store_category() noexcept {
  static const StoreCategory category;
  return category;
}

std::error_code make_error_code(StoreErrc value) noexcept {
  return {static_cast<int>(value), store_category()};
}

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // closing the descriptor releases the flock
  }
}

Result<void> write_file_atomic(const fs::path& path, std::string_view data, fs::perms mode) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path temp = dir / (path.filename().string() + temp_suffix());
  const auto mode_bits = static_cast<mode_t>(mode);
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_bits));
  if (fd.get() < 0) {
    return io_error(path.string(), errno);
  }
  // open() applies the umask; set the exact mode before any byte is written.
  if (::fchmod(fd.get(), mode_bits) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return io_error(path.string(), saved);
  }
  std::size_t written = 0;
  while (written < data.size()) {
    const auto n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      ::unlink(temp.c_str());
      return io_error(path.string(), saved);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return io_error(path.string(), saved);
  }
  ::close(fd.release());
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return io_error(path.string(), saved);
  }
  // Make the rename itself durable.
  const FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) {
    ::fsync(dir_fd.get());
  }
  return ok();
}

Result<std::string> read_secret_file(const fs::path& path, std::string_view what) {
  auto text = read_file(path, std::size_t{64} * 1024);
  if (!text) {
    Error error = text.error();
    error.why = "cannot read " + std::string(what) + ": " + error.why;
    return error;
  }
  std::string secret = std::move(text).value();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return make_error(GeneralErrc::kUsage, path.string(), std::string(what) + " is empty");
  }
  return secret;
}

Result<std::string> read_file(const fs::path& path, std::size_t max_bytes) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int saved = errno;
    if (saved == ENOENT) {
      return make_error(StoreErrc::kMissing, path.string(), "no such file");
    }
    return io_error(path.string(), saved);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return io_error(path.string(), errno);
  }
  if (S_ISDIR(info.st_mode)) {
    return io_error(path.string(), EISDIR);
  }
  std::string data;
  char buffer[65536];
  while (true) {
    const auto n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error(path.string(), errno);
    }
    if (n == 0) {
      break;
    }
    if (data.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Error{make_error_code(GeneralErrc::kUsage), path.string(),
                   fmt::format("larger than {} bytes", max_bytes)};
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

Result<Store> Store::open(const fs::path& root, bool create) {
  if (root.empty()) {
    return make_error(StoreErrc::kUnavailable, "store", "no store directory configured");
  }
  std::error_code ec;
  const fs::path absolute = fs::absolute(root, ec);
  if (ec) {
    return make_error(StoreErrc::kUnavailable, root.string(), ec.message());
  }
  if (!fs::is_directory(absolute, ec)) {
    if (!create) {
      return make_error(StoreErrc::kUnavailable, absolute.string(),
                        "no store here (run `certtool request` first, or pass --store)");
    }
    if (auto made = make_private_dirs(absolute); !made) {
      return Error{make_error_code(StoreErrc::kUnavailable), absolute.string(), made.error().why};
    }
  }
  return Store(absolute);
}

Result<fs::path> Store::resolve(const fs::path& path) const {
  if (path.is_absolute()) {
    return path;
  }
  const fs::path normal = path.lexically_normal();
  if (normal.empty() || *normal.begin() == "..") {
    return make_error(StoreErrc::kUnsafePath, path.string(), "leaves the store directory");
  }
  return root_ / normal;
}

bool Store::exists(const fs::path& relative) const {
  auto path = resolve(relative);
  std::error_code ec;
  return path && fs::exists(path.value(), ec);
}

Result<std::string> Store::read(const fs::path& relative, std::size_t max_bytes) const {
  auto path = resolve(relative);
  if (!path) {
    return path.error();
  }
  return read_file(path.value(), max_bytes);
}

Result<void> Store::write(const fs::path& relative, std::string_view data, fs::perms mode) {
  auto path = resolve(relative);
  if (!path) {
    return path.error();
  }
  if (auto dirs = make_private_dirs(path.value().parent_path()); !dirs) {
    return dirs;
  }
  return write_file_atomic(path.value(), data, mode);
}

Result<void> Store::write_secret(const fs::path& relative, std::string_view data) {
  return write(relative, data, fs::perms::owner_read | fs::perms::owner_write);
}

Result<void> Store::remove(const fs::path& relative) {
  auto path = resolve(relative);
  if (!path) {
    return path.error();
  }
  std::error_code ec;
  fs::remove_all(path.value(), ec);
  if (ec) {
    return Error{ec, path.value().string(), ec.message()};
  }
  return ok();
}

Result<StoreLock> Store::lock(std::chrono::milliseconds timeout) const {
  const fs::path path = root_ / store_layout::kLockFile;
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return io_error(path.string(), errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return io_error(path.string(), errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(StoreErrc::kLocked, root_.string(),
                        "another certtool is writing to the store; try again when it is done");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return StoreLock(fd.release());
}

fs::path choose_store_path(const std::optional<std::string>& flag,
                           const std::string& config_value) {
  if (flag && !flag->empty()) {
    return *flag;
  }
  if (const char* env = std::getenv("EDGEKIT_STORE"); env != nullptr && *env != '\0') {
    return env;
  }
  return config_value.empty() ? fs::path("/var/lib/edgekit") : fs::path(config_value);
}

}  // namespace edgekit
