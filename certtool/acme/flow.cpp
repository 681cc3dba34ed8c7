#include "certtool/acme/flow.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "certtool/acme/errors.hpp"
#include "common/jid.hpp"

namespace edgekit::certtool::acme {
namespace {

constexpr std::string_view kJoseJson = "application/jose+json";
constexpr std::string_view kPemChain = "application/pem-certificate-chain";
constexpr std::size_t kMaxAuthorizations = 100;  // RFC 8555 leaves it open; CAs allow ~100
constexpr std::chrono::seconds kFirstBackoff{1};

std::string str(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return {};
  }
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return {};
  }
  return it->get<std::string>();
}

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// The problem attached to an object (order "error", challenge "error"), as a line.
std::string embedded_problem(const nlohmann::json& object) {
  const auto it = object.find("error");
  if (it == object.end() || !it->is_object()) {
    return {};
  }
  if (auto problem = parse_problem(it->dump())) {
    return problem->one_line();
  }
  return {};
}

std::set<std::string> order_names(const nlohmann::json& order) {
  std::set<std::string> names;
  const auto it = order.find("identifiers");
  if (it == order.end() || !it->is_array()) {
    return names;
  }
  for (const auto& id : *it) {
    if (id.is_object() && str(id, "type") == "dns") {
      names.insert(str(id, "value"));
    }
  }
  return names;
}

// Whether an authorization's identifier is one of the names ordered. A wildcard name's
// authorization names the domain without "*." (RFC 8555 §7.1.4).
// The name an authorization is for, made safe to print; empty when the CA did not say.
std::string authorization_domain(const nlohmann::json& authorization) {
  const auto identifier = authorization.find("identifier");
  return identifier != authorization.end() ? printable(str(*identifier, "value"), 255)
                                           : std::string();
}

bool requested_identifier(const std::vector<std::string>& names, std::string_view domain) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
    const std::string_view identifier =
        name.starts_with("*.") ? std::string_view(name).substr(2) : std::string_view(name);
    return !domain.empty() && iequals_ascii(identifier, domain);
  });
}

}  // namespace

std::string_view to_string(ChallengeType type) noexcept {
  return type == ChallengeType::kDns01 ? "dns-01" : "http-01";
}

Error problem_error(const Problem& problem, const std::string& what) {
  static const std::set<std::string, std::less<>> server_side = {
      "serverInternal",        "rateLimited",  "badNonce",          "malformed",
      "badSignatureAlgorithm", "badPublicKey", "unsupportedContact"};
  static const std::set<std::string, std::less<>> usage = {
      "accountDoesNotExist", "externalAccountRequired", "userActionRequired", "invalidContact"};
  auto code = AcmeErrc::kRejected;
  if (server_side.count(problem.type) != 0 || (problem.status >= 500 && problem.type.empty())) {
    code = AcmeErrc::kServer;
  } else if (usage.count(problem.type) != 0) {
    code = AcmeErrc::kUsage;
  }
  return make_error(code, what, "the CA answered " + problem.one_line());
}

AcmeFlow::AcmeFlow(FlowParams params, AccountKey key)
    : params_(std::move(params)), key_(std::move(key)) {}

std::vector<std::string> AcmeFlow::take_progress() {
  return std::exchange(progress_, {});
}

void AcmeFlow::progress(std::string line) {
  progress_.push_back(std::move(line));
}

Action AcmeFlow::fail(Error error) {
  stage_ = Stage::kFinished;
  return action::Failed{std::move(error)};
}

Action AcmeFlow::fail_problem(const HttpResponse& response, const std::string& what) {
  if (auto problem = parse_problem(response.body)) {
    if (problem->status == 0) {
      problem->status = response.status;
    }
    return fail(problem_error(*problem, what));
  }
  const auto code = response.status >= 500 ? AcmeErrc::kServer : AcmeErrc::kProtocol;
  return fail(make_error(
      code, what, "HTTP " + std::to_string(response.status) + " without a problem document"));
}

Action AcmeFlow::start() {
  if (params_.directory_url.empty()) {
    return fail(make_error(AcmeErrc::kUsage, "acme.directory", "no ACME directory URL configured"));
  }
  if (params_.names.empty()) {
    return fail(make_error(AcmeErrc::kUsage, "certificate request", "the CSR names no DNS name"));
  }
  stage_ = Stage::kDirectory;
  return action::Send{HttpRequest{"GET", params_.directory_url, {}, {}, "application/json"}};
}

Action AcmeFlow::send(Post post) {
  if (nonce_.empty()) {
    after_nonce_ = std::move(post);
    stage_ = Stage::kNonce;
    return action::Send{HttpRequest{"HEAD", new_nonce_url_, {}, {}, {}}};
  }
  const auto nonce = std::exchange(nonce_, {});
  auto body =
      sign_jws(key_, post.url, nonce, post.use_jwk ? std::string_view() : kid_, post.payload);
  if (!body) {
    return fail(body.error());
  }
  stage_ = post.stage;
  action::Send action{
      HttpRequest{"POST", post.url, std::move(body).value(), std::string(kJoseJson), post.accept}};
  current_ = std::move(post);
  return action;
}

std::optional<nlohmann::json> AcmeFlow::parse_object(const HttpResponse& response,
                                                     const std::string& what, Action& failure) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    failure =
        fail(make_error(AcmeErrc::kProtocol, what, "the CA sent a body that is not a JSON object"));
    return std::nullopt;
  }
  return json;
}

Action AcmeFlow::on_response(const HttpResponse& response) {
  if (auto nonce = response.header("replay-nonce"); nonce && !nonce->empty()) {
    nonce_ = *nonce;
  }
  switch (stage_) {
    case Stage::kDirectory: return handle_directory(response);
    case Stage::kNonce:
      if (!is_success(response.status) || nonce_.empty()) {
        return fail(make_error(
            AcmeErrc::kProtocol, "newNonce",
            "the CA sent no Replay-Nonce (HTTP " + std::to_string(response.status) + ")"));
      }
      return send(after_nonce_);
    case Stage::kFinished:
      return fail(make_error(AcmeErrc::kProtocol, "ACME", "response after the flow ended"));
    default: break;
  }
  // Every other stage answered a signed POST.
  if (response.status >= 400) {
    auto problem = parse_problem(response.body);
    if (problem && problem->is("badNonce")) {
      if (bad_nonce_retries_ < params_.max_bad_nonce_retries) {
        ++bad_nonce_retries_;
        progress("the CA rejected the nonce (badNonce); retrying with a fresh one");
        return send(current_);
      }
    }
    if (stage_ == Stage::kResumeOrder) {
      progress("the saved order cannot be used any more (HTTP " + std::to_string(response.status) +
               "); starting a new order");
      return new_order();
    }
  }
  bad_nonce_retries_ = 0;
  switch (stage_) {
    case Stage::kAccount: return handle_account(response);
    case Stage::kResumeOrder: return handle_resume_order(response);
    case Stage::kNewOrder: return handle_new_order(response);
    case Stage::kAuthorization: return handle_authorization(response);
    case Stage::kRespond: return handle_respond(response);
    case Stage::kPollAuthorization: return handle_poll_authorization(response);
    case Stage::kOrderCheck:
    case Stage::kFinalize:
    case Stage::kPollOrder: {
      const auto what = stage_ == Stage::kFinalize ? std::string("finalize") : std::string("order");
      if (!is_success(response.status)) {
        return fail_problem(response, what);
      }
      Action failure;
      auto order = parse_object(response, what, failure);
      if (!order) {
        return failure;
      }
      return process_order(*order, stage_, &response);
    }
    case Stage::kDownload: return handle_download(response);
    default: break;
  }
  return fail(make_error(AcmeErrc::kProtocol, "ACME", "unexpected response"));
}

Action AcmeFlow::handle_directory(const HttpResponse& response) {
  if (!is_success(response.status)) {
    return fail_problem(response, "directory " + params_.directory_url);
  }
  Action failure;
  auto directory = parse_object(response, "directory " + params_.directory_url, failure);
  if (!directory) {
    return failure;
  }
  new_nonce_url_ = str(*directory, "newNonce");
  new_account_url_ = str(*directory, "newAccount");
  new_order_url_ = str(*directory, "newOrder");
  if (new_nonce_url_.empty() || new_account_url_.empty() || new_order_url_.empty()) {
    return fail(make_error(AcmeErrc::kProtocol, "directory " + params_.directory_url,
                           "newNonce, newAccount or newOrder missing: not an ACME directory"));
  }
  if (const auto meta = directory->find("meta"); meta != directory->end() && meta->is_object()) {
    terms_ = str(*meta, "termsOfService");
    if (const auto eab = meta->find("externalAccountRequired");
        eab != meta->end() && eab->is_boolean() && eab->get<bool>()) {
      return fail(make_error(AcmeErrc::kUsage, "directory " + params_.directory_url,
                             "the CA requires external account binding, which certtool does not "
                             "support"));
    }
  }
  nlohmann::json payload = nlohmann::json::object();
  if (params_.agree_tos) {
    payload["termsOfServiceAgreed"] = true;
    if (!params_.contact.empty()) {
      payload["contact"] = params_.contact;
    }
  } else {
    payload["onlyReturnExisting"] = true;
  }
  return send(Post{Stage::kAccount, new_account_url_, payload.dump(), {}, true});
}

Action AcmeFlow::handle_account(const HttpResponse& response) {
  if (!is_success(response.status)) {
    auto problem = parse_problem(response.body);
    if (problem && problem->is("accountDoesNotExist")) {
      std::string why = "no ACME account exists for this account key yet; read the CA's terms";
      if (!terms_.empty()) {
        why += " (" + printable(terms_, 200) + ")";
      }
      why += " and set acme.agree_tos = true or pass --agree-tos";
      return fail(make_error(AcmeErrc::kUsage, "newAccount", why));
    }
    return fail_problem(response, "newAccount");
  }
  const auto location = response.header("location");
  if (!location || location->empty()) {
    return fail(
        make_error(AcmeErrc::kProtocol, "newAccount", "the CA sent no account URL (Location)"));
  }
  Action failure;
  auto account = parse_object(response, "newAccount", failure);
  if (!account) {
    return failure;
  }
  const auto status = str(*account, "status");
  if (!status.empty() && status != "valid") {
    return fail(make_error(AcmeErrc::kRejected, "ACME account " + printable(*location),
                           "the account is " + printable(status, 40)));
  }
  kid_ = *location;
  progress(std::string(response.status == 201 ? "created" : "using") + " ACME account " +
           printable(kid_));
  if (!params_.resume_order_url.empty()) {
    return send(Post{Stage::kResumeOrder, params_.resume_order_url, std::nullopt, {}, false});
  }
  return new_order();
}

Action AcmeFlow::new_order() {
  resumed_ = false;
  nlohmann::json identifiers = nlohmann::json::array();
  for (const auto& name : params_.names) {
    identifiers.push_back({{"type", "dns"}, {"value", name}});
  }
  const nlohmann::json payload{{"identifiers", identifiers}};
  return send(Post{Stage::kNewOrder, new_order_url_, payload.dump(), {}, false});
}

Action AcmeFlow::handle_resume_order(const HttpResponse& response) {
  Action failure;
  auto order = parse_object(response, "order", failure);
  if (!order) {
    progress("the saved order is unreadable; starting a new order");
    return new_order();
  }
  const auto status = str(*order, "status");
  const std::set<std::string> wanted(params_.names.begin(), params_.names.end());
  if (order_names(*order) != wanted) {
    progress("the saved order is for other names; starting a new order");
    return new_order();
  }
  if (status != "pending" && status != "ready" && status != "processing" && status != "valid") {
    progress("the saved order is " + printable(status, 40) + "; starting a new order");
    return new_order();
  }
  order_url_ = params_.resume_order_url;
  resumed_ = true;
  progress("resuming order " + printable(order_url_) + " (" + status + ")");
  return process_order(*order, Stage::kResumeOrder, &response);
}

Action AcmeFlow::handle_new_order(const HttpResponse& response) {
  if (response.status != 201 && !is_success(response.status)) {
    return fail_problem(response, "newOrder");
  }
  const auto location = response.header("location");
  if (!location || location->empty()) {
    return fail(make_error(AcmeErrc::kProtocol, "newOrder", "the CA sent no order URL (Location)"));
  }
  Action failure;
  auto order = parse_object(response, "newOrder", failure);
  if (!order) {
    return failure;
  }
  order_url_ = *location;
  order_ = std::move(*order);
  progress("created order " + printable(order_url_));
  resume_ = Resume::kAfterSave;
  return action::SaveOrder{order_url_};
}

Action AcmeFlow::resume() {
  switch (std::exchange(resume_, Resume::kNone)) {
    case Resume::kAfterSave: return process_order(order_, Stage::kNewOrder, nullptr);
    case Resume::kAfterProvision: respond_index_ = 0; return next_response();
    case Resume::kAfterSleep: return send(poll_post_);
    case Resume::kNone: break;
  }
  return fail(make_error(AcmeErrc::kProtocol, "ACME", "resume without a pending action"));
}

Action AcmeFlow::process_order(const nlohmann::json& order, Stage from,
                               const HttpResponse* response) {
  order_ = order;
  const auto status = str(order, "status");
  if (status == "invalid") {
    auto why = embedded_problem(order);
    return fail(make_error(AcmeErrc::kRejected, "order " + printable(order_url_),
                           why.empty() ? std::string("the CA marked the order invalid")
                                       : "the CA marked the order invalid: " + why));
  }
  if (status == "valid") {
    const auto certificate = str(order, "certificate");
    if (certificate.empty()) {
      return fail(
          make_error(AcmeErrc::kProtocol, "order", "valid order without a certificate URL"));
    }
    progress("certificate issued; downloading the chain");
    return send(Post{Stage::kDownload, certificate, std::nullopt, std::string(kPemChain), false});
  }
  if (status == "ready") {
    const auto finalize = str(order, "finalize");
    if (finalize.empty()) {
      return fail(make_error(AcmeErrc::kProtocol, "order", "order without a finalize URL"));
    }
    progress("all names validated; finalizing with the CSR");
    const nlohmann::json payload{{"csr", base64url_encode(params_.csr_der)}};
    polls_ = 0;
    return send(Post{Stage::kFinalize, finalize, payload.dump(), {}, false});
  }
  if (status == "processing" || (status == "pending" && from == Stage::kOrderCheck)) {
    if (response == nullptr) {
      return fail(make_error(AcmeErrc::kProtocol, "order", "cannot poll without a response"));
    }
    return schedule_poll(*response, Post{Stage::kPollOrder, order_url_, std::nullopt, {}, false},
                         "the CA to issue the certificate (order " + status + ")");
  }
  if (status == "pending") {
    const auto it = order.find("authorizations");
    if (it == order.end() || !it->is_array() || it->empty() || it->size() > kMaxAuthorizations) {
      return fail(make_error(AcmeErrc::kProtocol, "order", "pending order without authorizations"));
    }
    authorization_urls_.clear();
    for (const auto& url : *it) {
      if (!url.is_string()) {
        return fail(make_error(AcmeErrc::kProtocol, "order", "authorization URL is not a string"));
      }
      authorization_urls_.push_back(url.get<std::string>());
    }
    authorization_index_ = 0;
    tasks_.clear();
    pending_authorizations_.clear();
    return next_authorization();
  }
  return fail(make_error(AcmeErrc::kProtocol, "order",
                         "unknown order status \"" + printable(status, 40) + "\""));
}

Action AcmeFlow::next_authorization() {
  if (authorization_index_ < authorization_urls_.size()) {
    return send(Post{
        Stage::kAuthorization, authorization_urls_[authorization_index_], std::nullopt, {}, false});
  }
  if (tasks_.empty()) {
    // Every authorization was already valid: ask the order where it stands.
    polls_ = 0;
    return send(Post{Stage::kOrderCheck, order_url_, std::nullopt, {}, false});
  }
  resume_ = Resume::kAfterProvision;
  return action::Provision{tasks_};
}

Action AcmeFlow::handle_authorization(const HttpResponse& response) {
  const auto& url = authorization_urls_[authorization_index_];
  if (!is_success(response.status)) {
    return fail_problem(response, "authorization " + printable(url));
  }
  Action failure;
  auto authz = parse_object(response, "authorization", failure);
  if (!authz) {
    return failure;
  }
  const std::string domain = authorization_domain(*authz);
  // Only names the order asked for: the identifier decides where a challenge is published
  // (the dns-01 TXT owner), so a CA's answer must not choose another name.
  if (!requested_identifier(params_.names, domain)) {
    return fail(make_error(
        AcmeErrc::kProtocol, "authorization " + printable(url),
        "the CA sent an authorization for \"" + domain + "\", a name the order did not ask for"));
  }
  const auto status = str(*authz, "status");
  const auto challenges = authz->find("challenges");
  if (status == "valid") {
    progress(domain + ": already validated");
    ++authorization_index_;
    return next_authorization();
  }
  if (status == "invalid") {
    std::string why;
    if (challenges != authz->end() && challenges->is_array()) {
      for (const auto& challenge : *challenges) {
        if (auto line = embedded_problem(challenge); !line.empty()) {
          why = line;
        }
      }
    }
    return fail(make_error(AcmeErrc::kRejected, "validation of " + domain,
                           why.empty() ? std::string("the CA marked the authorization invalid")
                                       : "the challenge failed: " + why));
  }
  if (status != "pending") {
    return fail(make_error(AcmeErrc::kRejected, "authorization for " + domain,
                           "the authorization is " + printable(status, 40)));
  }
  if (challenges == authz->end() || !challenges->is_array()) {
    return fail(make_error(AcmeErrc::kProtocol, "authorization for " + domain, "no challenges"));
  }
  const auto wanted = std::string(to_string(params_.challenge));
  std::vector<std::string> offered;
  for (const auto& challenge : *challenges) {
    const auto type = str(challenge, "type");
    offered.push_back(printable(type, 40));
    if (type != wanted) {
      continue;
    }
    const auto token = str(challenge, "token");
    const auto challenge_url = str(challenge, "url");
    // RFC 8555 §8.3: a token has at least 128 bits of entropy and uses the base64url alphabet.
    const bool alphabet_ok = std::all_of(token.begin(), token.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    });
    if (token.size() < 22 || token.size() > 256 || !alphabet_ok || challenge_url.empty()) {
      return fail(make_error(AcmeErrc::kProtocol, "challenge for " + domain,
                             "missing or malformed token or URL"));
    }
    ChallengeTask task;
    task.type = params_.challenge;
    task.domain = domain;
    task.token = token;
    task.key_authorization = key_authorization(token, key_);
    task.txt_value = dns01_txt_value(task.key_authorization);
    task.challenge_url = challenge_url;
    task.authorization_url = url;
    const auto challenge_status = str(challenge, "status");
    task.needs_response = challenge_status == "pending" || challenge_status.empty();
    tasks_.push_back(std::move(task));
    pending_authorizations_.push_back(url);
    ++authorization_index_;
    return next_authorization();
  }
  std::string list;
  for (const auto& type : offered) {
    list += (list.empty() ? "" : ", ") + type;
  }
  return fail(make_error(AcmeErrc::kRejected, "authorization for " + domain,
                         "the CA offers no " + wanted + " challenge (offers: " + list + ")"));
}

Action AcmeFlow::next_response() {
  while (respond_index_ < tasks_.size() && !tasks_[respond_index_].needs_response) {
    ++respond_index_;
  }
  if (respond_index_ < tasks_.size()) {
    const auto& task = tasks_[respond_index_];
    progress(task.domain + ": asking the CA to validate (" + std::string(to_string(task.type)) +
             ")");
    return send(Post{Stage::kRespond, task.challenge_url, std::string("{}"), {}, false});
  }
  poll_index_ = 0;
  polls_ = 0;
  return poll_next_authorization();
}

Action AcmeFlow::handle_respond(const HttpResponse& response) {
  if (!is_success(response.status)) {
    return fail_problem(response, "challenge for " + tasks_[respond_index_].domain);
  }
  ++respond_index_;
  return next_response();
}

Action AcmeFlow::poll_next_authorization() {
  if (poll_index_ < pending_authorizations_.size()) {
    return send(Post{
        Stage::kPollAuthorization, pending_authorizations_[poll_index_], std::nullopt, {}, false});
  }
  polls_ = 0;
  return send(Post{Stage::kOrderCheck, order_url_, std::nullopt, {}, false});
}

Action AcmeFlow::handle_poll_authorization(const HttpResponse& response) {
  const auto& url = pending_authorizations_[poll_index_];
  if (!is_success(response.status)) {
    return fail_problem(response, "authorization " + printable(url));
  }
  Action failure;
  auto authz = parse_object(response, "authorization", failure);
  if (!authz) {
    return failure;
  }
  const std::string domain = authorization_domain(*authz);
  const auto status = str(*authz, "status");
  if (status == "valid") {
    progress(domain + ": validated");
    ++poll_index_;
    return poll_next_authorization();
  }
  if (status == "pending") {
    return schedule_poll(response, current_, "validation of " + domain);
  }
  // invalid, deactivated, expired, revoked: say why with the challenge's problem.
  std::string why;
  if (const auto challenges = authz->find("challenges");
      challenges != authz->end() && challenges->is_array()) {
    for (const auto& challenge : *challenges) {
      if (auto line = embedded_problem(challenge); !line.empty()) {
        why = line;
      }
    }
  }
  return fail(make_error(AcmeErrc::kRejected, "validation of " + domain,
                         "the authorization is " + printable(status, 40) +
                             (why.empty() ? std::string() : ": " + why)));
}

Action AcmeFlow::schedule_poll(const HttpResponse& response, Post post, const std::string& what) {
  ++polls_;
  auto delay = std::chrono::duration_cast<std::chrono::seconds>(kFirstBackoff *
                                                                (1LL << std::min(polls_ - 1, 4)));
  if (auto hint = retry_after(response)) {
    delay = std::max(*hint, std::chrono::seconds(1));
  }
  delay = std::min(delay, params_.max_poll_interval);
  if (polls_ > params_.max_polls || waited_ + delay > params_.poll_budget) {
    return fail(make_error(
        AcmeErrc::kTimeout, "waiting for " + what,
        "no result after " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(waited_).count()) +
            " s and " + std::to_string(polls_ - 1) + " checks"));
  }
  waited_ += delay;
  progress("waiting for " + what + "; next check in " + std::to_string(delay.count()) + " s");
  poll_post_ = std::move(post);
  resume_ = Resume::kAfterSleep;
  return action::Sleep{delay};
}

Action AcmeFlow::handle_download(const HttpResponse& response) {
  if (!is_success(response.status)) {
    return fail_problem(response, "certificate download");
  }
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  if (response.body.find(kBegin) == std::string::npos) {
    return fail(make_error(AcmeErrc::kProtocol, "certificate download",
                           "the CA sent no PEM certificate chain"));
  }
  stage_ = Stage::kFinished;
  return action::Done{response.body, link_urls(response, "alternate")};
}

}  // namespace edgekit::certtool::acme
