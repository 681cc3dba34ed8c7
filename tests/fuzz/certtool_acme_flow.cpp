// Fuzzes the whole ACME flow (RFC 8555) with a fuzzed CA: unlike certtool_acme_response, which
// varies one response, every response here is the fuzzer's, so it can walk any path through
// directory, nonce, account, order (new or resumed), authorizations, challenges, polling,
// finalize and download. Input: a flags byte (bit 0 dns-01, bit 1 resume a saved order, bits
// 2-3 the names, bit 4 agree to the terms, bit 5 no default Replay-Nonce on the answers to POST
// and HEAD), then responses split at 0xFF bytes, each a status byte then headers, a blank line
// and the body. Checked on every input: challenges are provisioned only for the names asked
// for, of the type asked for, with the right key authorization; sleeps stay within the polling
// limits; a finished flow takes no further response.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "acme_support.hpp"
#include "common/jid.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgekit::certtool::acme;

FlowParams params_for(std::uint8_t flags) {
  static const std::array<std::vector<std::string>, 4> kNames = {{
      {"edge.example"},
      {"edge.example", "*.edge.example"},
      {"a.example", "b.example", "c.example"},
      {"xn--bcher-kva.example"},
  }};
  FlowParams params;
  params.directory_url = "https://ca.test/directory";
  params.contact = {"mailto:hostmaster@edge.example"};
  params.agree_tos = (flags & 16U) != 0;
  params.names = kNames[(flags >> 2U) & 3U];
  params.csr_der = "csr-der";
  params.challenge = (flags & 1U) != 0 ? ChallengeType::kDns01 : ChallengeType::kHttp01;
  if ((flags & 2U) != 0) {
    params.resume_order_url = "https://ca.test/order/saved";
  }
  params.max_bad_nonce_retries = 3;
  params.max_polls = 4;
  params.poll_budget = std::chrono::seconds(40);
  params.max_poll_interval = std::chrono::seconds(10);
  return params;
}

void check_challenges(const action::Provision& provision, const FlowParams& params) {
  std::set<std::string> identifiers;
  for (const auto& name : params.names) {
    identifiers.insert(name.starts_with("*.") ? name.substr(2) : name);
  }
  for (const auto& task : provision.challenges) {
    if (identifiers.count(edgekit::to_lower_ascii(task.domain)) == 0) {
      __builtin_trap();  // a challenge for a name the CSR does not hold would be published
    }
    if (task.type != params.challenge ||
        task.key_authorization !=
            key_authorization(task.token, edgekit::fuzz::acme_account_key()) ||
        task.txt_value != dns01_txt_value(task.key_authorization)) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static constexpr std::array kStatuses = {200, 201, 204, 202, 400, 403, 404, 429, 500, 503};
  const std::uint8_t flags = data[0];
  const FlowParams params = params_for(flags);
  std::vector<HttpResponse> responses;
  edgekit::fuzz::for_each_chunk(
      edgekit::fuzz::as_text(data + 1, size - 1), '\xff', [&](std::string_view chunk) {
        if (chunk.empty()) {
          return true;
        }
        responses.push_back(edgekit::fuzz::acme_response(
            kStatuses[static_cast<std::uint8_t>(chunk.front()) % kStatuses.size()],
            chunk.substr(1)));
        return responses.size() < 64;
      });

  AcmeFlow flow(params, edgekit::fuzz::acme_account_key());
  auto next_action = flow.start();
  std::size_t next = 0;
  std::chrono::milliseconds slept{0};
  for (int step = 0; step < 256; ++step) {
    if (const auto* done = std::get_if<action::Done>(&next_action)) {
      if (done->certificate_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        __builtin_trap();
      }
    }
    if (std::holds_alternative<action::Done>(next_action) ||
        std::holds_alternative<action::Failed>(next_action)) {
      if (!std::holds_alternative<action::Failed>(
              flow.on_response(responses.empty() ? HttpResponse{} : responses.front()))) {
        __builtin_trap();  // a finished flow took another response
      }
      break;
    }
    if (const auto* send = std::get_if<action::Send>(&next_action)) {
      if (next == responses.size()) {
        break;
      }
      if (send->request.method == "POST" && send->request.content_type != "application/jose+json") {
        __builtin_trap();
      }
      // A CA sends a fresh nonce with every answer to a POST or a newNonce HEAD; leaving it
      // out is flag 5's path (and that of a response that names its own).
      auto& response = responses[next++];
      if ((flags & 32U) == 0 && send->request.method != "GET" && !response.header("replay-nonce")) {
        response.headers.emplace_back("replay-nonce", "nonce-" + std::to_string(next));
      }
      next_action = flow.on_response(response);
      continue;
    }
    if (const auto* provision = std::get_if<action::Provision>(&next_action)) {
      check_challenges(*provision, params);
    } else if (const auto* sleep = std::get_if<action::Sleep>(&next_action)) {
      slept += sleep->delay;
      if (sleep->delay <= std::chrono::milliseconds(0) || sleep->delay > params.max_poll_interval ||
          slept > params.poll_budget) {
        __builtin_trap();  // polling outside its limits
      }
    }
    next_action = flow.resume();
  }
  (void)flow.take_progress();
  return 0;
}
