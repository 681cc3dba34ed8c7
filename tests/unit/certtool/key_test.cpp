// The key helpers: generation, PEM round trip, public-key comparison.
#include <gtest/gtest.h>

#include "certtool/key.hpp"

namespace edgekit::certtool {
namespace {

TEST(Key, PemRoundTripAndPublicKeyComparison) {
  auto a = generate_key(KeyType::kEcP256);
  auto b = generate_key(KeyType::kEcP256);
  ASSERT_TRUE(a && b);
  auto plain = key_to_pem(a.value().get(), std::nullopt);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(key_pem_is_encrypted(plain.value()));
  auto back = key_from_pem(plain.value(), std::nullopt);
  ASSERT_TRUE(back);
  EXPECT_TRUE(same_public_key(back.value().get(), a.value().get()));
  EXPECT_FALSE(same_public_key(back.value().get(), b.value().get()));
  auto sealed = key_to_pem(a.value().get(), std::string_view("pw"));
  ASSERT_TRUE(sealed);
  EXPECT_TRUE(key_pem_is_encrypted(sealed.value()));
  EXPECT_NE(sealed.value().find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  auto wrong = key_from_pem(sealed.value(), std::string_view("nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().exit_code(), ExitCode::kUsage);
  // The error says what is wrong without any key material.
  EXPECT_EQ(wrong.error().message().find("BEGIN"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::certtool
