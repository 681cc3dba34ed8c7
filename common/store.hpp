#pragma once
// The state store (docs/reference.md): a directory certtool owns and edgeproxy reads.
//
//   <root>/.lock                       flock(2): one writer at a time
//   <root>/identity.json               the assigned, validated identity (edgeproxy loads it)
//   <root>/identity.previous.json      the assignment before, for `certtool assign --rollback`
//   <root>/requests/<id>/              key.pem (0600), csr.pem, request.json
//   <root>/certificates/<sha256>/      cert.pem, chain.pem, key.pem (0600), meta.json
//   <root>/acme/                       account key (0600) and resumable orders
//   <root>/edgeproxy.pid               written by a running edgeproxy, for reload signals
//   <root>/edgeproxy/                  edgeproxy's own state (remembered subscriptions)
//
// Every write is atomic: a temporary file in the same directory, fsync, rename, fsync of the
// directory. A crash leaves either the old or the new file, never half of one.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace edgekit {

enum class StoreErrc {
  kUnavailable = 1,  // cannot create or open the store directory
  kLocked,           // another process holds the lock past the timeout
  kMissing,          // the file asked for does not exist
  kCorrupt,          // a file exists but cannot be parsed
  kUnsafePath,       // a relative path tried to leave the store
};
const EdgekitCategory& store_category() noexcept;
std::error_code make_error_code(StoreErrc value) noexcept;

namespace store_layout {
inline constexpr std::string_view kLockFile = ".lock";
inline constexpr std::string_view kIdentityFile = "identity.json";
inline constexpr std::string_view kPreviousIdentityFile = "identity.previous.json";
inline constexpr std::string_view kRequestsDir = "requests";
inline constexpr std::string_view kCertificatesDir = "certificates";
inline constexpr std::string_view kAcmeDir = "acme";
inline constexpr std::string_view kEdgeproxyPidFile = "edgeproxy.pid";
inline constexpr std::string_view kEdgeproxyDir = "edgeproxy";
}  // namespace store_layout

// Holds the store's exclusive lock until destroyed.
class StoreLock {
 public:
  StoreLock() = default;
  explicit StoreLock(int fd) noexcept : fd_(fd) {}
  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

  [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

class Store {
 public:
  // Opens (and with create = true, makes, mode 0700) the store at root.
  static Result<Store> open(const std::filesystem::path& root, bool create);

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  // Resolves a store-relative path; absolute paths are returned as they are. A relative path
  // that climbs out of the store ("../x") is refused.
  [[nodiscard]] Result<std::filesystem::path> resolve(const std::filesystem::path& path) const;

  [[nodiscard]] bool exists(const std::filesystem::path& relative) const;
  [[nodiscard]] Result<std::string> read(const std::filesystem::path& relative,
                                         std::size_t max_bytes = std::size_t{16} * 1024 *
                                                                 1024) const;
  // Atomic write; creates missing parent directories (0700). `mode` is applied before the
  // data is written, so a secret is never readable by others, not even for an instant.
  Result<void> write(const std::filesystem::path& relative, std::string_view data,
                     std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_write |
                                                   std::filesystem::perms::group_read |
                                                   std::filesystem::perms::others_read);
  // Atomic write with mode 0600: private keys and secrets.
  Result<void> write_secret(const std::filesystem::path& relative, std::string_view data);
  Result<void> remove(const std::filesystem::path& relative);

  // Takes the store's exclusive lock, waiting up to `timeout` for another writer to finish.
  [[nodiscard]] Result<StoreLock> lock(
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  explicit Store(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

// Writes `data` to `path` atomically (temp + fsync + rename + directory fsync).
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               std::filesystem::perms mode);
// Reads a whole file, refusing files larger than max_bytes.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = std::size_t{16} * 1024 * 1024);

// Reads a secret file (a shared secret, a password): at most 64 KiB, trailing CR/LF removed.
// `what` names it in errors ("the component secret (internal.secret_file)"); an empty secret
// is an error. The caller should OPENSSL_cleanse the value when done with it.
Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view what);

// The store directory to use: --store flag, else $EDGEKIT_STORE, else the config's edge.store.
std::filesystem::path choose_store_path(const std::optional<std::string>& flag,
                                        const std::string& config_value);

}  // namespace edgekit

template <>
struct std::is_error_code_enum<edgekit::StoreErrc> : std::true_type {};
