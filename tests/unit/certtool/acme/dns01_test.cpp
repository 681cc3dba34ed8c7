// The BIND TSIG key-file parser used for dns-01.
#include <gtest/gtest.h>

#include "certtool/acme/dns01.hpp"

namespace edgekit::certtool::acme {
namespace {

TEST(AcmeDns01, ParsesBindKeyFiles) {
  auto key = parse_bind_key_file(R"(# made by tsig-keygen
key "acme-Key" {
	algorithm hmac-sha256;
	secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0cw==";
};
)");
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key.value().name, "acme-key.");
  EXPECT_EQ(key.value().algorithm, "hmac-sha256.");
  EXPECT_EQ(key.value().secret, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0cw==");

  auto md5 = parse_bind_key_file("key k. { algorithm HMAC-MD5; secret \"YWJj\"; };");
  ASSERT_TRUE(md5);
  EXPECT_EQ(md5.value().algorithm, "hmac-md5.sig-alg.reg.int.");

  EXPECT_FALSE(parse_bind_key_file(""));
  EXPECT_FALSE(parse_bind_key_file("key k { algorithm hmac-sha256; };"));  // no secret
  EXPECT_FALSE(parse_bind_key_file("key k { algorithm rot13; secret \"YWJj\"; };"));
  EXPECT_FALSE(parse_bind_key_file("key k { algorithm hmac-sha256; secret \"not base64!\"; };"));
  EXPECT_FALSE(parse_bind_key_file("key k { algorithm hmac-sha256; secret \"YWJj\";"));
  EXPECT_FALSE(parse_bind_key_file("zone k { };"));
}

}  // namespace
}  // namespace edgekit::certtool::acme
