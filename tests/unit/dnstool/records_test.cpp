#include <gtest/gtest.h>

#include "dane_fixture.hpp"
#include "dnstool/posh_document.hpp"
#include "dnstool/records.hpp"
#include "dnstool/tlsa_match.hpp"

namespace edgekit::dnstool {
namespace {

TEST_F(DaneTest, RecordsListSrvTlsaAndPosh) {
  RecordsInput input;
  input.domains = {"corp.example"};
  input.edge_fqdn = "edge.corp.example";
  input.direct_tls_port = 5270;
  input.certificate = leaf.cert.get();
  const auto output = make_records(input);
  const auto has = [&](const std::string& line) {
    return std::find(output.lines.begin(), output.lines.end(), line) != output.lines.end();
  };
  EXPECT_TRUE(has("_xmpp-server._tcp.corp.example. 3600 IN SRV 0 5 5269 edge.corp.example."));
  EXPECT_TRUE(has("_xmpps-server._tcp.corp.example. 3600 IN SRV 0 5 5270 edge.corp.example."));
  EXPECT_TRUE(
      has("_5269._tcp.edge.corp.example. 3600 IN TLSA " + tlsa_text(tlsa_3_1_1(leaf.cert.get()))));
  EXPECT_FALSE(output.posh.empty());
  input.certificate = nullptr;
  EXPECT_TRUE(make_records(input).posh.empty());
}

}  // namespace
}  // namespace edgekit::dnstool
