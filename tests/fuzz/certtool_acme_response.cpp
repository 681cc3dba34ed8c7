// Fuzz target: whatever an ACME server sends (headers and body) at any stage of the flow must
// end in an action or a clean error, never a crash. Input: one byte choosing the stage, then
// "Header: value" lines, a blank line, and the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certtool/acme/flow.hpp"

namespace {

using edgekit::certtool::acme::AccountKey;
using edgekit::certtool::acme::AcmeFlow;
namespace action = edgekit::certtool::acme::action;
using edgekit::certtool::acme::FlowParams;
using edgekit::certtool::acme::HttpResponse;

HttpResponse canned(int status, std::string body, std::string location = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("replay-nonce", "n0nce");
  if (!location.empty()) {
    response.headers.emplace_back("location", std::move(location));
  }
  return response;
}

const AccountKey& account_key() {
  static const AccountKey key = AccountKey::generate().value();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const int depth = data[0] % 6;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  HttpResponse fuzzed;
  fuzzed.status = 200 + (data[0] / 6) % 300;
  const auto split = text.find("\n\n");
  std::string_view head =
      split == std::string_view::npos ? std::string_view() : text.substr(0, split);
  fuzzed.body = std::string(split == std::string_view::npos ? text : text.substr(split + 2));
  while (!head.empty()) {
    const auto end = head.find('\n');
    if (auto header = edgekit::certtool::acme::parse_header_line(head.substr(0, end))) {
      fuzzed.headers.push_back(std::move(*header));
    }
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
  }
  (void)edgekit::certtool::acme::parse_problem(fuzzed.body);
  (void)edgekit::certtool::acme::link_urls(fuzzed, "alternate");
  (void)edgekit::certtool::acme::retry_after(fuzzed);

  FlowParams params;
  params.directory_url = "https://ca.test/dir";
  params.agree_tos = true;
  params.names = {"edge.example"};
  params.csr_der = "csr";
  AcmeFlow flow(params, account_key());
  const HttpResponse script[] = {
      canned(200, R"({"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",)"
                  R"("newOrder":"https://ca.test/order"})"),
      canned(200, ""),
      canned(201, R"({"status":"valid"})", "https://ca.test/acct/1"),
      canned(201,
             R"({"status":"pending","identifiers":[{"type":"dns","value":"edge.example"}],)"
             R"("authorizations":["https://ca.test/authz/1"],"finalize":"https://ca.test/fin"})",
             "https://ca.test/order/1"),
      canned(200, R"({"status":"pending","identifier":{"type":"dns","value":"edge.example"},)"
                  R"("challenges":[{"type":"http-01","url":"https://ca.test/ch/1",)"
                  R"("token":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","status":"pending"}]})"),
  };
  auto action = flow.start();
  int fed = 0;
  for (int step = 0; step < 40 && !std::holds_alternative<action::Done>(action) &&
                     !std::holds_alternative<action::Failed>(action);
       ++step) {
    if (!std::holds_alternative<action::Send>(action)) {
      action = flow.resume();
      continue;
    }
    if (fed < depth && fed < 5) {
      action = flow.on_response(script[fed]);
      ++fed;
    } else {
      action = flow.on_response(fuzzed);
    }
  }
  (void)flow.take_progress();
  return 0;
}
