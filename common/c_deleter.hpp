#pragma once
// The one unique_ptr deleter for C libraries' objects: calls the library's free function.
// OpenSSL, ldns and libcurl handles (common/*_ptr.hpp) all use it.

namespace edgekit {

template <auto FreeFn>
struct CDeleter {
  template <typename T>
  void operator()(T* ptr) const noexcept {
    FreeFn(ptr);
  }
};

}  // namespace edgekit
