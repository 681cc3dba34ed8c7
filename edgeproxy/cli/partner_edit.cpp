#include "edgeproxy/cli/partner_edit.hpp"

#include <sstream>

#include "common/crypto.hpp"
#include "common/jid.hpp"

namespace edgekit::edgeproxy {
namespace {

std::string toml_string(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00" + crypto::hex_encode(std::string_view(&c, 1));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool is_table_header(const std::string& line) {
  const auto first = line.find_first_not_of(" \t");
  return first != std::string::npos && line[first] == '[';
}

bool is_blank_or_comment(const std::string& line) {
  const auto first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

}  // namespace

std::string render_partner_table(const Partner& partner) {
  std::ostringstream out;
  out << "[[partner]]\n";
  out << "domain = " << toml_string(partner.domain) << "\n";
  out << "additional_domains = [";
  for (std::size_t i = 0; i < partner.additional_domains.size(); ++i) {
    out << (i == 0 ? "" : ", ") << toml_string(partner.additional_domains[i]);
  }
  out << "]\n";
  out << "type = " << toml_string(to_string(partner.type)) << "\n";
  out << "tls = " << toml_string(to_string(partner.tls)) << "\n";
  out << "sasl = " << toml_string(to_string(partner.sasl)) << "\n";
  out << "dialback = " << (partner.dialback ? "true" : "false") << "\n";
  if (partner.verify_certificate_set) {
    out << "verify_certificate = " << (partner.verify_certificate ? "true" : "false") << "\n";
  }
  out << "keepalive = " << (partner.keepalive ? "true" : "false") << "\n";
  out << "proxy_fqdn = " << toml_string(partner.proxy_fqdn) << "\n";
  out << "connection_limit = " << partner.connection_limit << "\n";
  if (partner.rate_bytes_per_second) {
    out << "rate_bytes_per_second = " << *partner.rate_bytes_per_second << "\n";
  }
  if (partner.rate_stanzas_per_second) {
    out << "rate_stanzas_per_second = " << *partner.rate_stanzas_per_second << "\n";
  }
  out << "description = " << toml_string(partner.description) << "\n";
  return out.str();
}

Result<std::string> replace_partner_table(std::string_view text, std::string_view domain,
                                          std::string_view replacement) {
  auto parsed = parse_config(text);
  if (!parsed) {
    return parsed.error();
  }
  std::vector<std::string> lines = split_lines(text);
  const Partner* partner = parsed.value().find_partner(domain);
  std::string out;
  if (partner == nullptr || !iequals_ascii(partner->domain, domain)) {
    for (const auto& line : lines) {
      out += line;
      out += '\n';
    }
    if (!replacement.empty()) {
      if (!out.empty() && out != "\n" && out.substr(out.size() - 2) != "\n\n") {
        out += '\n';
      }
      out += replacement;
    }
    return out;
  }
  // The table runs from its header to the next table header, minus trailing comments and
  // blank lines (they introduce whatever follows).
  const auto begin = static_cast<std::size_t>(partner->line - 1);
  std::size_t end = begin + 1;
  while (end < lines.size() && !is_table_header(lines[end])) {
    ++end;
  }
  while (end > begin + 1 && is_blank_or_comment(lines[end - 1])) {
    --end;
  }
  for (std::size_t i = 0; i < begin; ++i) {
    out += lines[i];
    out += '\n';
  }
  out += replacement;
  for (std::size_t i = end; i < lines.size(); ++i) {
    if (replacement.empty() && i == end && is_blank_or_comment(lines[i]) &&
        lines[i].find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // drop one blank separator with the removed table
    }
    out += lines[i];
    out += '\n';
  }
  return out;
}

}  // namespace edgekit::edgeproxy
