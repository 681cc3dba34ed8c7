#pragma once
// Certificate and CSR summaries as JSON (stable keys) and as text for people.

#include <ostream>

#include <nlohmann/json.hpp>

#include "certtool/csr.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {

nlohmann::json to_json(const x509::CertificateInfo& info);
nlohmann::json to_json(const CsrInfo& info);
nlohmann::json to_json(const x509::ChainVerdict& verdict);
void print_certificate(std::ostream& out, const x509::CertificateInfo& info);
void print_csr(std::ostream& out, const CsrInfo& info);
void print_verdict(std::ostream& out, const x509::ChainVerdict& verdict);

}  // namespace edgekit::certtool
