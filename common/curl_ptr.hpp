#pragma once
// Owning handles for libcurl objects.

#include <memory>

#include <curl/curl.h>

#include "common/c_deleter.hpp"

namespace edgekit::curl {

template <auto FreeFn>
using Deleter = CDeleter<FreeFn>;

using EasyPtr = std::unique_ptr<CURL, Deleter<curl_easy_cleanup>>;
using SlistPtr = std::unique_ptr<curl_slist, Deleter<curl_slist_free_all>>;
using UrlPtr = std::unique_ptr<CURLU, Deleter<curl_url_cleanup>>;

}  // namespace edgekit::curl
