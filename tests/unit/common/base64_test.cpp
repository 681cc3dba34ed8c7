// base64 (RFC 4648): the §10 test vectors in both alphabets, the lenient standard decoder XMPP
// peers need, and the strict URL-safe decoder JOSE needs.

#include "common/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgekit {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
    std::string unpadded(encoded);
    unpadded.erase(unpadded.find_last_not_of('=') + 1);
    EXPECT_EQ(base64url_encode(plain), unpadded);
    EXPECT_EQ(base64url_decode(unpadded), plain);
  }
}

TEST(Base64, AlphabetsDifferInTheirLastTwoCharacters) {
  const std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64_encode(bytes), "+//+");
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_FALSE(base64_decode("-__-"));
  EXPECT_FALSE(base64url_decode("+//+"));
}

TEST(Base64, StandardDecodingIsLenientLikeXmppPeers) {
  EXPECT_EQ(base64_decode(" Zm9v\r\nYmE=\t"), "fooba");  // whitespace skipped
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");            // padding optional
  EXPECT_FALSE(base64_decode("YQ==="));                  // more than two '='
  EXPECT_FALSE(base64_decode("YQ==YQ=="));               // data after padding
  EXPECT_FALSE(base64_decode("Y$"));                     // not in the alphabet
}

TEST(Base64, UrlDecodingIsStrict) {
  EXPECT_FALSE(base64url_decode("Zm9v="));  // padding
  EXPECT_FALSE(base64url_decode("Zm 9v"));  // whitespace
  EXPECT_FALSE(base64url_decode("Z"));      // impossible length
  EXPECT_FALSE(base64url_decode("Zh"));     // non-zero leftover bits: not canonical
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all += static_cast<char>(i);
  }
  for (std::size_t length = 0; length <= all.size(); length += 37) {
    const std::string sample = all.substr(0, length);
    EXPECT_EQ(base64_decode(base64_encode(sample)), sample);
    EXPECT_EQ(base64url_decode(base64url_encode(sample)), sample);
  }
}

}  // namespace
}  // namespace edgekit
