// The ACME state machine driven by recorded transcripts (after RFC 8555 §7's examples and what
// pebble answers). Every POST's JWS is checked: fresh nonce, url, kid/jwk, valid signature.
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <variant>

#include "certtool/acme/errors.hpp"
#include "certtool/acme/flow.hpp"
#include "common/overloaded.hpp"

namespace edgekit::certtool::acme {
namespace {

constexpr const char* kBase = "https://ca.test/acme/";

std::string url(const std::string& path) {
  return kBase + path;
}

// A Link header value `<target>;rel="rel"`, appended: g++ 12 at -O3 reports a false -Wrestrict
// on `"<" + std::string(...) + ...` (GCC bug 105651; see common/x509_inspect.cpp).
std::string link_header(const std::string& target, const std::string& rel) {
  std::string value = "<";
  value.append(target).append(">;rel=\"").append(rel).append("\"");
  return value;
}

struct Step {
  std::string method;
  std::string url;
  HttpResponse response;
};

struct Outcome {
  Action final;
  std::vector<ChallengeTask> provisioned;
  std::vector<std::string> saved_orders;
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<HttpRequest> requests;
  std::vector<nlohmann::json> payloads;  // decoded JWS payloads of the POSTs (null: POST-as-GET)
  std::vector<std::string> progress;
};

// The error the run ended with; an empty one when it did not fail.
Error final_error(const Outcome& outcome) {
  const auto* failed = std::get_if<action::Failed>(&outcome.final);
  return failed != nullptr ? failed->error : Error{};
}

int g_nonce = 0;

HttpResponse reply(int status, const std::string& body,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   bool with_nonce = true) {
  HttpResponse response;
  response.status = status;
  response.body = body;
  response.headers = std::move(headers);
  if (with_nonce) {
    response.headers.emplace_back("replay-nonce", "nonce-" + std::to_string(++g_nonce));
  }
  response.received = std::chrono::system_clock::now();
  return response;
}

HttpResponse reply(int status, const nlohmann::json& body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  return reply(status, body.dump(), std::move(headers));
}

bool verify_jws(const AccountKey& key, const nlohmann::json& jws) {
  const auto input = jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
  auto der = ecdsa_raw_to_der(*base64url_decode(jws["signature"].get<std::string>()));
  if (!der) {
    return false;
  }
  ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.key());
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der->data()),
                          der->size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

Outcome run(AcmeFlow& flow, const AccountKey& key, std::deque<Step> script) {
  Outcome outcome;
  std::string last_nonce;
  std::string kid;
  // Ends the run on `last`: a result, or a request the script has no answer for.
  auto finish = [&](const Action& last) -> std::optional<Action> {
    outcome.final = last;
    return std::nullopt;
  };
  auto answer = Overloaded{
      [&](const action::Send& send) -> std::optional<Action> {
        const auto& request = send.request;
        outcome.requests.push_back(request);
        if (script.empty()) {
          ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
          return finish(send);
        }
        auto step = std::move(script.front());
        script.pop_front();
        EXPECT_EQ(request.method, step.method) << request.url;
        EXPECT_EQ(request.url, step.url);
        if (request.method == "POST") {
          EXPECT_EQ(request.content_type, "application/jose+json");
          const auto jws = nlohmann::json::parse(request.body);
          const auto header =
              nlohmann::json::parse(*base64url_decode(jws["protected"].get<std::string>()));
          EXPECT_EQ(header["nonce"], last_nonce) << "a POST must use the latest nonce";
          EXPECT_EQ(header["url"], request.url);
          if (header.contains("jwk")) {
            EXPECT_EQ(header["jwk"], key.jwk());
          } else {
            EXPECT_EQ(header["kid"], kid);
          }
          EXPECT_TRUE(verify_jws(key, jws));
          const auto payload = *base64url_decode(jws["payload"].get<std::string>());
          outcome.payloads.push_back(payload.empty() ? nlohmann::json()
                                                     : nlohmann::json::parse(payload));
          last_nonce.clear();
        }
        if (auto nonce = step.response.header("replay-nonce")) {
          last_nonce = *nonce;
        }
        auto next = flow.on_response(step.response);
        kid = flow.account_url();
        return next;
      },
      [&](const action::Sleep& sleep) -> std::optional<Action> {
        outcome.sleeps.push_back(sleep.delay);
        return flow.resume();
      },
      [&](const action::Provision& provision) -> std::optional<Action> {
        outcome.provisioned.insert(outcome.provisioned.end(), provision.challenges.begin(),
                                   provision.challenges.end());
        return flow.resume();
      },
      [&](const action::SaveOrder& save) -> std::optional<Action> {
        outcome.saved_orders.push_back(save.order_url);
        return flow.resume();
      },
      [&](const action::Done& done) -> std::optional<Action> {
        EXPECT_TRUE(script.empty()) << script.size() << " scripted responses left over";
        return finish(done);
      },
      [&](const action::Failed& failed) -> std::optional<Action> {
        EXPECT_TRUE(script.empty()) << script.size() << " scripted responses left over";
        return finish(failed);
      },
  };
  auto action = flow.start();
  for (int guard = 0; guard < 200; ++guard) {
    for (auto& line : flow.take_progress()) {
      outcome.progress.push_back(std::move(line));
    }
    auto next = std::visit(answer, action);
    if (!next) {
      return outcome;
    }
    action = std::move(*next);
  }
  ADD_FAILURE() << "the flow did not finish";
  return outcome;
}

nlohmann::json directory() {
  return {
      {"newNonce", url("new-nonce")},   {"newAccount", url("new-acct")},
      {"newOrder", url("new-order")},   {"revokeCert", url("revoke-cert")},
      {"keyChange", url("key-change")}, {"meta", {{"termsOfService", "https://ca.test/terms"}}}};
}

nlohmann::json order(const std::string& status, const std::string& extra_key = {},
                     const std::string& extra_value = {}) {
  nlohmann::json order{{"status", status},
                       {"expires", "2030-01-01T00:00:00Z"},
                       {"identifiers",
                        {{{"type", "dns"}, {"value", "edge.corp.example"}},
                         {{"type", "dns"}, {"value", "corp.example"}}}},
                       {"authorizations", {url("authz/1"), url("authz/2")}},
                       {"finalize", url("order/1/finalize")}};
  if (!extra_key.empty()) {
    order[extra_key] = extra_value;
  }
  return order;
}

nlohmann::json authz(const std::string& domain, const std::string& status, int n,
                     const std::string& challenge_status = "pending",
                     const nlohmann::json& error = nullptr) {
  nlohmann::json http{{"type", "http-01"},
                      {"url", url("chall/" + std::to_string(n) + "/http")},
                      {"token", "DGyRejmCefe7v4NfDGDKfA" + std::to_string(n)},
                      {"status", challenge_status}};
  if (!error.is_null()) {
    http["error"] = error;
  }
  nlohmann::json dns{{"type", "dns-01"},
                     {"url", url("chall/" + std::to_string(n) + "/dns")},
                     {"token", "LoqXcYV8q5ONbJQxbmR7SC" + std::to_string(n)},
                     {"status", "pending"}};
  return {{"status", status},
          {"identifier", {{"type", "dns"}, {"value", domain}}},
          {"challenges", {http, dns}}};
}

const std::string kChain =
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";

class AcmeFlowTest : public ::testing::Test {
 protected:
  AcmeFlowTest() : key_(AccountKey::generate().value()) {
    params_.directory_url = url("directory");
    params_.contact = {"mailto:pki@corp.example"};
    params_.agree_tos = true;
    params_.names = {"edge.corp.example", "corp.example"};
    params_.csr_der = std::string("\x30\x82\x01\x00csr", 7);
  }

  std::deque<Step> account_prefix() {
    return {
        {"GET", url("directory"), reply(200, directory().dump(), {}, false)},
        {"HEAD", url("new-nonce"), reply(200, std::string())},
        {"POST", url("new-acct"),
         reply(201, nlohmann::json{{"status", "valid"}}, {{"location", url("acct/1")}})},
    };
  }

  static void append(std::deque<Step>& to, std::deque<Step> more) {
    for (auto& step : more) {
      to.push_back(std::move(step));
    }
  }

  std::deque<Step> happy_path() {
    auto script = account_prefix();
    append(
        script,
        {
            {"POST", url("new-order"),
             reply(201, order("pending"), {{"location", url("order/1")}})},
            {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "pending", 1))},
            {"POST", url("authz/2"), reply(200, authz("corp.example", "pending", 2))},
            {"POST", url("chall/1/http"), reply(200, nlohmann::json{{"status", "processing"}})},
            {"POST", url("chall/2/http"), reply(200, nlohmann::json{{"status", "processing"}})},
            {"POST", url("authz/1"),
             reply(200, authz("edge.corp.example", "pending", 1, "processing"),
                   {{"retry-after", "3"}})},
            {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "valid", 1, "valid"))},
            {"POST", url("authz/2"), reply(200, authz("corp.example", "valid", 2, "valid"))},
            {"POST", url("order/1"), reply(200, order("ready"))},
            {"POST", url("order/1/finalize"),
             reply(200, order("processing"), {{"retry-after", "2"}})},
            {"POST", url("order/1"), reply(200, order("valid", "certificate", url("cert/1")))},
            {"POST", url("cert/1"),
             reply(200, kChain,
                   {{"content-type", "application/pem-certificate-chain"},
                    {"link", link_header(url("cert/1/1"), "alternate")},
                    {"link", link_header(url("directory"), "index")}})},
        });
    return script;
  }

  FlowParams params_;
  AccountKey key_;
};

TEST_F(AcmeFlowTest, HappyPathHttp01) {
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, happy_path());
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  EXPECT_EQ(std::get<action::Done>(outcome.final).certificate_pem, kChain);
  ASSERT_EQ(std::get<action::Done>(outcome.final).alternates.size(), 1U);
  EXPECT_EQ(std::get<action::Done>(outcome.final).alternates[0], url("cert/1/1"));
  EXPECT_EQ(outcome.saved_orders, std::vector<std::string>{url("order/1")});
  EXPECT_EQ(flow.account_url(), url("acct/1"));
  EXPECT_EQ(flow.order_url(), url("order/1"));
  EXPECT_FALSE(flow.resumed_order());

  ASSERT_EQ(outcome.provisioned.size(), 2U);
  EXPECT_EQ(outcome.provisioned[0].domain, "edge.corp.example");
  EXPECT_EQ(outcome.provisioned[0].type, ChallengeType::kHttp01);
  EXPECT_EQ(outcome.provisioned[0].token, "DGyRejmCefe7v4NfDGDKfA1");
  EXPECT_EQ(outcome.provisioned[0].key_authorization,
            "DGyRejmCefe7v4NfDGDKfA1." + key_.thumbprint());

  // Retry-After is honoured: 3 s for the authorization, 2 s for the order.
  ASSERT_EQ(outcome.sleeps.size(), 2U);
  EXPECT_EQ(outcome.sleeps[0], std::chrono::seconds(3));
  EXPECT_EQ(outcome.sleeps[1], std::chrono::seconds(2));

  // newAccount agrees to the terms with the contact; newOrder names the CSR's names; the
  // challenge response is "{}"; finalize carries the CSR DER base64url; the rest POST-as-GET.
  EXPECT_EQ(outcome.payloads[0]["termsOfServiceAgreed"], true);
  EXPECT_EQ(outcome.payloads[0]["contact"][0], "mailto:pki@corp.example");
  EXPECT_EQ(outcome.payloads[1]["identifiers"][1]["value"], "corp.example");
  EXPECT_TRUE(outcome.payloads[2].is_null());
  EXPECT_EQ(outcome.payloads[4], nlohmann::json::object());
  EXPECT_EQ(outcome.payloads[10]["csr"], base64url_encode(params_.csr_der));
  EXPECT_EQ(outcome.requests.back().accept, "application/pem-certificate-chain");
  EXPECT_FALSE(outcome.progress.empty());
}

TEST_F(AcmeFlowTest, Dns01TaskCarriesTxtValue) {
  params_.challenge = ChallengeType::kDns01;
  params_.names = {"edge.corp.example"};
  auto script = account_prefix();
  auto single = order("pending");
  single["identifiers"] = {{{"type", "dns"}, {"value", "edge.corp.example"}}};
  single["authorizations"] = {url("authz/1")};
  append(script,
         {
             {"POST", url("new-order"), reply(201, single, {{"location", url("order/1")}})},
             {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "pending", 1))},
             {"POST", url("chall/1/dns"), reply(200, nlohmann::json{{"status", "processing"}})},
             {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "valid", 1))},
             {"POST", url("order/1"), reply(200, order("valid", "certificate", url("cert/1")))},
             {"POST", url("cert/1"), reply(200, kChain)},
         });
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  ASSERT_EQ(outcome.provisioned.size(), 1U);
  const auto& task = outcome.provisioned[0];
  EXPECT_EQ(task.type, ChallengeType::kDns01);
  EXPECT_EQ(task.key_authorization, "LoqXcYV8q5ONbJQxbmR7SC1." + key_.thumbprint());
  EXPECT_EQ(task.txt_value, dns01_txt_value(task.key_authorization));
  EXPECT_EQ(task.challenge_url, url("chall/1/dns"));
}

TEST_F(AcmeFlowTest, BadNonceIsRetriedWithTheNonceFromTheError) {
  auto script = account_prefix();
  const nlohmann::json bad_nonce{{"type", "urn:ietf:params:acme:error:badNonce"},
                                 {"detail", "JWS has an invalid anti-replay nonce"},
                                 {"status", 400}};
  script.push_back({"POST", url("new-order"), reply(400, bad_nonce)});
  script.push_back({"POST", url("new-order"), reply(400, bad_nonce)});
  auto rest = happy_path();
  rest.erase(rest.begin(), rest.begin() + 3);
  append(script, rest);
  AcmeFlow flow(params_, key_);
  // run() asserts that each retry carries the nonce of the error response.
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  EXPECT_EQ(outcome.payloads[1], outcome.payloads[3]);  // the same request, re-signed
}

TEST_F(AcmeFlowTest, BadNonceRetriesAreBounded) {
  params_.max_bad_nonce_retries = 2;
  auto script = account_prefix();
  const nlohmann::json bad_nonce{{"type", "urn:ietf:params:acme:error:badNonce"},
                                 {"detail", "bad nonce"}};
  for (int i = 0; i < 3; ++i) {
    script.push_back({"POST", url("new-order"), reply(400, bad_nonce)});
  }
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kOperational);
  EXPECT_NE(final_error(outcome).message().find("badNonce"), std::string::npos);
}

TEST_F(AcmeFlowTest, MissingNonceAfterErrorFetchesAFreshOne) {
  auto script = account_prefix();
  script.push_back({"POST", url("new-order"),
                    reply(400, R"({"type":"urn:ietf:params:acme:error:badNonce"})", {}, false)});
  script.push_back({"HEAD", url("new-nonce"), reply(200, std::string())});
  script.push_back({"POST", url("new-order"),
                    reply(403, nlohmann::json{{"type", "urn:ietf:params:acme:error:unauthorized"},
                                              {"detail", "no"}})});
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kProblems);
}

TEST_F(AcmeFlowTest, RejectedIdentifierIsAClearRefusal) {
  auto script = account_prefix();
  // What pebble answers for a name its policy refuses.
  script.push_back(
      {"POST", url("new-order"),
       reply(400, nlohmann::json{{"type", "urn:ietf:params:acme:error:rejectedIdentifier"},
                                 {"detail",
                                  "Order included a domain name (blocked.example) "
                                  "that is blocked by this CA"},
                                 {"status", 400}})});
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kProblems);
  const auto message = final_error(outcome).message();
  EXPECT_EQ(message,
            "newOrder: the CA answered rejectedIdentifier: Order included a domain name "
            "(blocked.example) that is blocked by this CA");
}

TEST_F(AcmeFlowTest, InvalidChallengeNamesTheCause) {
  auto script = account_prefix();
  const nlohmann::json connection{
      {"type", "urn:ietf:params:acme:error:connection"},
      {"detail",
       "Connection refused fetching http://edge.corp.example/.well-known/acme-challenge/x"},
      {"status", 400}};
  append(
      script,
      {
          {"POST", url("new-order"), reply(201, order("pending"), {{"location", url("order/1")}})},
          {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "pending", 1))},
          {"POST", url("authz/2"), reply(200, authz("corp.example", "valid", 2, "valid"))},
          {"POST", url("chall/1/http"), reply(200, nlohmann::json{{"status", "processing"}})},
          {"POST", url("authz/1"),
           reply(200, authz("edge.corp.example", "invalid", 1, "invalid", connection))},
      });
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kProblems);
  EXPECT_EQ(outcome.provisioned.size(), 1U);  // the valid one needs nothing
  const auto message = final_error(outcome).message();
  EXPECT_NE(message.find("validation of edge.corp.example"), std::string::npos) << message;
  EXPECT_NE(message.find("connection: Connection refused"), std::string::npos) << message;
}

TEST_F(AcmeFlowTest, MalformedResponsesAreProtocolErrors) {
  {
    AcmeFlow flow(params_, key_);
    auto outcome = run(flow, key_, {{"GET", url("directory"), reply(200, "<html>", {}, false)}});
    ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
    EXPECT_EQ(final_error(outcome).code, make_error_code(AcmeErrc::kProtocol));
    EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kOperational);
  }
  {
    AcmeFlow flow(params_, key_);
    auto script = account_prefix();
    script.push_back({"POST", url("new-order"), reply(201, order("pending"))});  // no Location
    auto outcome = run(flow, key_, script);
    ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
    EXPECT_NE(final_error(outcome).message().find("Location"), std::string::npos);
  }
  {
    AcmeFlow flow(params_, key_);
    auto script = account_prefix();
    auto broken = order("pending");
    broken["authorizations"] = "not a list";
    script.push_back(
        {"POST", url("new-order"), reply(201, broken, {{"location", url("order/1")}})});
    auto outcome = run(flow, key_, script);
    ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
    EXPECT_EQ(final_error(outcome).code, make_error_code(AcmeErrc::kProtocol));
  }
  {
    AcmeFlow flow(params_, key_);
    auto outcome =
        run(flow, key_, {{"GET", url("directory"), reply(200, nlohmann::json{{"newNonce", 1}})}});
    ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
    EXPECT_NE(final_error(outcome).message().find("not an ACME directory"), std::string::npos);
  }
}

TEST_F(AcmeFlowTest, LookupWithoutAgreementExplainsWhatToDo) {
  params_.agree_tos = false;
  auto script = account_prefix();
  script.back().response =
      reply(400, nlohmann::json{{"type", "urn:ietf:params:acme:error:accountDoesNotExist"},
                                {"detail", "unable to find existing account"}});
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(outcome.payloads[0], (nlohmann::json{{"onlyReturnExisting", true}}));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kUsage);
  const auto message = final_error(outcome).message();
  EXPECT_NE(message.find("--agree-tos"), std::string::npos);
  EXPECT_NE(message.find("https://ca.test/terms"), std::string::npos);
}

TEST_F(AcmeFlowTest, ResumesASavedOrder) {
  params_.resume_order_url = url("order/1");
  auto script = account_prefix();
  append(script, {
                     {"POST", url("order/1"), reply(200, order("ready"))},
                     {"POST", url("order/1/finalize"),
                      reply(200, order("valid", "certificate", url("cert/1")))},
                     {"POST", url("cert/1"), reply(200, kChain)},
                 });
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  EXPECT_TRUE(flow.resumed_order());
  EXPECT_TRUE(outcome.saved_orders.empty());
  EXPECT_EQ(flow.order_url(), url("order/1"));
}

TEST_F(AcmeFlowTest, ResumedOrderInProgressIsPolledNotAnsweredAgain) {
  params_.resume_order_url = url("order/1");
  auto script = account_prefix();
  append(script,
         {
             {"POST", url("order/1"), reply(200, order("pending"))},
             {"POST", url("authz/1"),
              reply(200, authz("edge.corp.example", "pending", 1, "processing"))},
             {"POST", url("authz/2"), reply(200, authz("corp.example", "valid", 2, "valid"))},
             {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "valid", 1, "valid"))},
             {"POST", url("order/1"), reply(200, order("valid", "certificate", url("cert/1")))},
             {"POST", url("cert/1"), reply(200, kChain)},
         });
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  ASSERT_EQ(outcome.provisioned.size(), 1U);
  EXPECT_FALSE(outcome.provisioned[0].needs_response);
}

TEST_F(AcmeFlowTest, UnusableSavedOrderStartsANewOne) {
  params_.resume_order_url = url("order/0");
  auto script = account_prefix();
  script.push_back({"POST", url("order/0"), reply(200, order("invalid"))});
  auto rest = happy_path();
  rest.erase(rest.begin(), rest.begin() + 3);
  append(script, rest);
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  EXPECT_FALSE(flow.resumed_order());
  EXPECT_EQ(outcome.saved_orders, std::vector<std::string>{url("order/1")});

  params_.resume_order_url = url("order/gone");
  script = account_prefix();
  script.push_back({"POST", url("order/gone"),
                    reply(404, nlohmann::json{{"type", "urn:ietf:params:acme:error:malformed"},
                                              {"detail", "No order found"}})});
  rest = happy_path();
  rest.erase(rest.begin(), rest.begin() + 3);
  append(script, rest);
  AcmeFlow again(params_, key_);
  outcome = run(again, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
}

TEST_F(AcmeFlowTest, PollingGivesUpWithinTheBudget) {
  params_.poll_budget = std::chrono::seconds(10);
  auto script = account_prefix();
  append(
      script,
      {
          {"POST", url("new-order"), reply(201, order("pending"), {{"location", url("order/1")}})},
          {"POST", url("authz/1"), reply(200, authz("edge.corp.example", "pending", 1))},
          {"POST", url("authz/2"), reply(200, authz("corp.example", "valid", 2, "valid"))},
          {"POST", url("chall/1/http"), reply(200, nlohmann::json{{"status", "processing"}})},
      });
  // Backoff without Retry-After: 1, 2, 4 s (7 s), then 8 s would pass the 10 s budget.
  for (int i = 0; i < 4; ++i) {
    script.push_back({"POST", url("authz/1"),
                      reply(200, authz("edge.corp.example", "pending", 1, "processing"))});
  }
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).code, make_error_code(AcmeErrc::kTimeout));
  EXPECT_EQ(final_error(outcome).exit_code(), ExitCode::kOperational);
  const std::vector<std::chrono::milliseconds> expected{
      std::chrono::seconds(1), std::chrono::seconds(2), std::chrono::seconds(4)};
  EXPECT_EQ(outcome.sleeps, expected);
}

TEST_F(AcmeFlowTest, HugeRetryAfterIsCapped) {
  params_.max_poll_interval = std::chrono::seconds(15);
  auto script = happy_path();
  script[8].response = reply(200, authz("edge.corp.example", "pending", 1, "processing"),
                             {{"retry-after", "86400"}});
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Done>(outcome.final))
      << final_error(outcome).message();
  EXPECT_EQ(outcome.sleeps[0], std::chrono::seconds(15));
}

TEST_F(AcmeFlowTest, NoOfferedChallengeOfTheConfiguredType) {
  auto script = account_prefix();
  auto only_tls = authz("edge.corp.example", "pending", 1);
  only_tls["challenges"] = {{{"type", "tls-alpn-01"}, {"url", url("c")}, {"token", "x"}}};
  append(script, {
                     {"POST", url("new-order"),
                      reply(201, order("pending"), {{"location", url("order/1")}})},
                     {"POST", url("authz/1"), reply(200, only_tls)},
                 });
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_NE(
      final_error(outcome).message().find("offers no http-01 challenge (offers: tls-alpn-01)"),
      std::string::npos)
      << final_error(outcome).message();
}

TEST_F(AcmeFlowTest, InvalidOrderAfterFinalize) {
  auto script = happy_path();
  script.resize(13);  // up to finalize
  auto invalid = order("invalid");
  invalid["error"] = {{"type", "urn:ietf:params:acme:error:badCSR"}, {"detail", "CSR key reused"}};
  script[12].response = reply(200, invalid);
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_NE(final_error(outcome).message().find("badCSR: CSR key reused"), std::string::npos);
}

TEST_F(AcmeFlowTest, DownloadThatIsNotPemFails) {
  auto script = happy_path();
  script.back().response = reply(200, std::string("{}"));
  AcmeFlow flow(params_, key_);
  auto outcome = run(flow, key_, script);
  ASSERT_TRUE(std::holds_alternative<action::Failed>(outcome.final));
  EXPECT_EQ(final_error(outcome).code, make_error_code(AcmeErrc::kProtocol));
}

}  // namespace
}  // namespace edgekit::certtool::acme
