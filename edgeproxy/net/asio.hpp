#pragma once
// The one way edgeproxy includes Asio (common/asio_headers.hpp says why it is wrapped), with
// the names the edge uses.

#include "common/asio_headers.hpp"

namespace edgekit::edgeproxy {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::asio::awaitable;
using boost::asio::use_awaitable;
}  // namespace edgekit::edgeproxy
