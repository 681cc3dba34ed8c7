#pragma once
// The one place the project includes Boost.Asio (edgeproxy, certtool's http-01 responder, the
// benchmark peers). Boost 1.74's awaitable.hpp needs <utility> first, and clang needs the
// coroutine macros the build predefines.
//
// g++ 12 at -O2/-O3 reports -Wnull-dereference inside Asio 1.18 (scheduler.ipp's
// compensating_work_started(), whose thread pointer is non-null whenever it runs): Boost's
// lines, not ours, so that warning is off for the text of these headers only.

// clang-format off
#include <utility>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
// clang-format on
