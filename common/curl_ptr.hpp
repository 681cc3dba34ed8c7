#pragma once
// Owning handles for libcurl objects.

#include <memory>

#include <curl/curl.h>

namespace edgekit::curl {

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* ptr) const noexcept {
    FreeFn(ptr);
  }
};

using EasyPtr = std::unique_ptr<CURL, Deleter<curl_easy_cleanup>>;
using SlistPtr = std::unique_ptr<curl_slist, Deleter<curl_slist_free_all>>;
using UrlPtr = std::unique_ptr<CURLU, Deleter<curl_url_cleanup>>;

}  // namespace edgekit::curl
