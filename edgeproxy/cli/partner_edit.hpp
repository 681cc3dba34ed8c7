#pragma once
// Edits the [[partner]] tables of an edgekit.toml as text, so every other line (comments
// included) stays as the admin wrote it. The result is re-parsed with the full config rules
// (including the partner negotiation matrix) before anyone writes it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "common/error.hpp"

namespace edgekit::edgeproxy {

// The [[partner]] table for one partner, every key written out.
std::string render_partner_table(const Partner& partner);

// The file text with the partner of `domain` replaced by `replacement` (a rendered table), or
// removed when `replacement` is empty; appended when `domain` is absent and `replacement` is
// not empty. Errors when the text does not parse.
Result<std::string> replace_partner_table(std::string_view text, std::string_view domain,
                                          std::string_view replacement);

}  // namespace edgekit::edgeproxy
