#pragma once
// Helpers shared by the edgeproxy session transcript tests.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config.hpp"
#include "edgeproxy/xmpp/session_action.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy::testing {

inline std::shared_ptr<const Config> make_config(const std::string& partners,
                                                 const std::string& federation = "") {
  const std::string text = R"(
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example", "corp2.example"]
[federation]
)" + federation + "\n" + partners;
  auto config = parse_config(text, "test.toml");
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message());
  return std::make_shared<const Config>(config ? std::move(config).value() : Config{});
}

// A framed stanza with just its routing attributes, as the framer would hand it over.
inline Element make_stanza(std::string name, std::string from, std::string to,
                           std::string type = "") {
  Element element;
  element.is_stanza = true;
  element.name = std::move(name);
  element.from = std::move(from);
  element.to = std::move(to);
  element.type = std::move(type);
  element.id = "i1";
  return element;
}

// What Transcript::find<Kind>() returns: the action, or null when there is none, used like a
// pointer. `->` on a missing action fails the test and reads a blank action instead of
// dereferencing null (so `find<action::Close>()->reason` after an ASSERT is safe, also to the
// compiler).
template <typename Kind>
class FoundAction {
 public:
  explicit FoundAction(const Kind* action) : action_(action) {}
  operator const Kind*() const { return action_; }  // NOLINT: used as a pointer on purpose
  const Kind* operator->() const {
    if (action_ == nullptr) {
      ADD_FAILURE() << "the transcript has no such action";
      static const Kind missing;
      return &missing;
    }
    return action_;
  }

 private:
  const Kind* action_;
};

// Everything sent, concatenated, and the other actions in order.
struct Transcript {
  std::string sent;
  std::vector<Action> actions;  // every action, including sends

  void take(Actions& out) {
    for (auto& action : out) {
      if (const auto* send = std::get_if<action::Send>(&action)) {
        sent += send->data;
      }
      actions.push_back(std::move(action));
    }
    out.clear();
  }
  template <typename Kind>
  [[nodiscard]] FoundAction<Kind> find() const {
    for (const auto& action : actions) {
      if (const auto* found = std::get_if<Kind>(&action)) {
        return FoundAction<Kind>(found);
      }
    }
    return FoundAction<Kind>(nullptr);
  }
  [[nodiscard]] bool contains(const std::string& text) const {
    return sent.find(text) != std::string::npos;
  }
  void clear() {
    sent.clear();
    actions.clear();
  }
};

inline const char* kPartnerHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='partner.example' to='corp.example' version='1.0'>";

}  // namespace edgekit::edgeproxy::testing
