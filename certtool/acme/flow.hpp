#pragma once
// The ACME protocol (RFC 8555) as a pure state machine: HTTP responses in, actions out. It
// never touches a socket, a clock or a file: the driver (acme/driver.cpp) performs each action
// (send a request, sleep, provision challenges, save the order URL) and feeds the result back.
//
//   directory -> [newNonce] -> newAccount (or lookup with onlyReturnExisting)
//     -> order (resumed from a saved URL, or newOrder) -> authorizations -> challenges
//     -> provision (driver) -> respond -> poll authorizations -> finalize (CSR)
//     -> poll order -> download the chain (application/pem-certificate-chain)
//
// Every POST is a JWS signed with the account key and a fresh nonce; a badNonce error is
// retried with the nonce that came with it (bounded). Polling follows Retry-After, else a
// bounded exponential backoff, within a total budget. Problem documents become one-line
// errors.

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "certtool/acme/http.hpp"
#include "certtool/acme/jws.hpp"
#include "certtool/acme/problem.hpp"
#include "common/error.hpp"

namespace edgekit::certtool::acme {

enum class ChallengeType { kHttp01, kDns01 };
std::string_view to_string(ChallengeType type) noexcept;

struct ChallengeTask {
  ChallengeType type = ChallengeType::kHttp01;
  std::string domain;  // the identifier, without any "*." (wildcards are dns-01 only)
  std::string token;
  std::string key_authorization;  // http-01 body
  std::string txt_value;          // dns-01: base64url(SHA-256(key authorization))
  std::string challenge_url;
  std::string authorization_url;
  bool needs_response = true;  // false when the CA is already validating it (resumed order)
};

struct FlowParams {
  std::string directory_url;
  std::vector<std::string> contact;  // "mailto:..." URLs
  bool agree_tos = false;
  std::vector<std::string> names;  // the CSR's dNSNames, A-labels
  std::string csr_der;
  ChallengeType challenge = ChallengeType::kHttp01;
  std::string resume_order_url;  // "" for a fresh order
  int max_bad_nonce_retries = 10;
  int max_polls = 120;
  std::chrono::seconds poll_budget{300};
  std::chrono::seconds max_poll_interval{15};
};

// What the flow asks its driver to do next: one struct per kind, so a driver that forgets a
// kind does not compile (std::visit).
namespace action {

struct Send {  // send `request`, then call on_response
  HttpRequest request;
};
struct Sleep {  // wait `delay`, then call resume
  std::chrono::milliseconds delay{0};
};
struct Provision {  // make `challenges` answerable, then call resume
  std::vector<ChallengeTask> challenges;
};
struct SaveOrder {  // persist `order_url` for a resumed run, then call resume
  std::string order_url;
};
struct Done {  // the chain, and the URLs of the CA's alternate chains
  std::string certificate_pem;
  std::vector<std::string> alternates;
};
struct Failed {
  Error error;
};

}  // namespace action

using Action = std::variant<action::Send, action::Sleep, action::Provision, action::SaveOrder,
                            action::Done, action::Failed>;

class AcmeFlow {
 public:
  AcmeFlow(FlowParams params, AccountKey key);

  Action start();
  Action on_response(const HttpResponse& response);
  // After a Sleep, Provision or SaveOrder has been carried out.
  Action resume();

  // Human progress lines produced since the last call (plain text, one event each).
  std::vector<std::string> take_progress();

  [[nodiscard]] const std::string& account_url() const noexcept { return kid_; }
  [[nodiscard]] const std::string& order_url() const noexcept { return order_url_; }
  [[nodiscard]] bool resumed_order() const noexcept { return resumed_; }
  [[nodiscard]] const std::string& terms_of_service() const noexcept { return terms_; }

 private:
  enum class Stage {
    kDirectory,
    kNonce,
    kAccount,
    kResumeOrder,
    kNewOrder,
    kAuthorization,
    kRespond,
    kPollAuthorization,
    kOrderCheck,
    kFinalize,
    kPollOrder,
    kDownload,
    kFinished,
  };
  enum class Resume { kNone, kAfterSave, kAfterProvision, kAfterSleep };

  struct Post {
    Stage stage = Stage::kFinished;
    std::string url;
    std::optional<std::string> payload;  // nullopt: POST-as-GET
    std::string accept;
    bool use_jwk = false;
  };

  Action send(Post post);
  Action fail(Error error);
  Action fail_problem(const HttpResponse& response, const std::string& what);
  Action handle_directory(const HttpResponse& response);
  Action handle_account(const HttpResponse& response);
  Action handle_resume_order(const HttpResponse& response);
  Action handle_new_order(const HttpResponse& response);
  Action handle_authorization(const HttpResponse& response);
  Action handle_respond(const HttpResponse& response);
  Action handle_poll_authorization(const HttpResponse& response);
  Action handle_download(const HttpResponse& response);
  Action new_order();
  Action process_order(const nlohmann::json& order, Stage from, const HttpResponse* response);
  Action next_authorization();
  Action next_response();
  Action poll_next_authorization();
  Action schedule_poll(const HttpResponse& response, Post post, const std::string& what);
  std::optional<nlohmann::json> parse_object(const HttpResponse& response, const std::string& what,
                                             Action& failure);
  void progress(std::string line);

  FlowParams params_;
  AccountKey key_;
  Stage stage_ = Stage::kDirectory;
  Resume resume_ = Resume::kNone;

  std::string new_nonce_url_;
  std::string new_account_url_;
  std::string new_order_url_;
  std::string terms_;
  std::string nonce_;
  std::string kid_;
  int bad_nonce_retries_ = 0;

  Post current_;
  Post after_nonce_;
  Post poll_post_;
  int polls_ = 0;
  std::chrono::milliseconds waited_{0};

  std::string order_url_;
  bool resumed_ = false;
  nlohmann::json order_;
  std::vector<std::string> authorization_urls_;
  std::size_t authorization_index_ = 0;
  std::vector<ChallengeTask> tasks_;
  std::vector<std::string> pending_authorizations_;  // to poll until valid
  std::size_t respond_index_ = 0;
  std::size_t poll_index_ = 0;

  std::vector<std::string> progress_;
};

// How a CA problem maps to our error codes: refusals exit 1, server trouble 3, missing
// account/agreement 2.
Error problem_error(const Problem& problem, const std::string& what);

}  // namespace edgekit::certtool::acme
