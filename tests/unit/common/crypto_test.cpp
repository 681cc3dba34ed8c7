// The shared crypto primitives against published known answers (FIPS 180 "abc" vectors).
#include <gtest/gtest.h>

#include <string>

#include "common/crypto.hpp"

namespace edgekit::crypto {
namespace {

TEST(Digest, KnownAnswersForAbc) {
  EXPECT_EQ(digest_hex(Digest::kSha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(digest_hex(Digest::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_hex(Digest::kSha384, "abc"),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
            "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(digest_hex(Digest::kSha512, "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Digest, EmptyInputAndRawLength) {
  EXPECT_EQ(digest_hex(Digest::kSha256, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest(Digest::kSha1, "abc").size(), 20U);
  EXPECT_EQ(digest(Digest::kSha256, "abc").size(), 32U);
  EXPECT_EQ(digest(Digest::kSha512, "abc").size(), 64U);
  EXPECT_EQ(hex_encode(digest(Digest::kSha256, "abc")), digest_hex(Digest::kSha256, "abc"));
}

TEST(Hex, EncodesEveryByteLowerCase) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode(std::string("\x00\x01\x7f\x80\xff", 5)), "00017f80ff");
  EXPECT_EQ(hex_encode("\xde\xad\xbe\xef"), "deadbeef");
  EXPECT_EQ(hex_encode("abc"), "616263");
}

TEST(Random, SizesAndFreshness) {
  EXPECT_EQ(random_bytes(0).size(), 0U);
  EXPECT_EQ(random_bytes(32).size(), 32U);
  const std::string id = random_hex(16);
  EXPECT_EQ(id.size(), 32U);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  // 128 random bits twice in a row are equal with probability 2^-128.
  EXPECT_NE(random_hex(16), id);
}

// The comparison dialback keys are verified with (moved here with the function).
TEST(ConstantTime, DialbackKeyComparisons) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_EQ(random_hex(8).size(), 16U);
}

TEST(ConstantTime, EqualUnequalAndDifferentLengths) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("secret", "secret"));
  EXPECT_FALSE(constant_time_equals("secret", "secreT"));
  EXPECT_FALSE(constant_time_equals("secret", "Secret"));
  EXPECT_FALSE(constant_time_equals("secret", "secrets"));
  EXPECT_FALSE(constant_time_equals("secret", ""));
  EXPECT_TRUE(constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace edgekit::crypto
