#include "console/access_token.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace swarm::console {
namespace {

using namespace std::chrono_literals;

const std::string kToken = "0123456789abcdef0123";

std::string load_error(const std::string& file, const char* env) {
  try {
    AccessToken::load(file, env);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

TEST(AccessToken, MatchesOnlyTheExactToken) {
  const AccessToken token(kToken, "test");
  EXPECT_TRUE(token.matches(kToken));
  EXPECT_FALSE(token.matches(kToken + "x"));
  EXPECT_FALSE(token.matches(kToken.substr(0, kToken.size() - 1)));
  EXPECT_FALSE(token.matches("1123456789abcdef0123"));
  EXPECT_FALSE(token.matches(""));
  EXPECT_FALSE(token.matches(std::string(kToken.size(), '\0')));
}

TEST(AccessToken, RefusesShortOrSpacedTokens) {
  EXPECT_THROW(AccessToken("short", "test"), std::runtime_error);
  EXPECT_THROW(AccessToken("0123456789 abcdef0123", "test"), std::runtime_error);
  EXPECT_THROW(AccessToken(std::string("0123456789abcdef\x01", 17), "test"), std::runtime_error);
  EXPECT_EQ(load_error("", "short"),
            "SWARM_CONSOLE_TOKEN: the token has 5 characters; use at least 16 (e.g. `openssl "
            "rand -hex 16`)");
}

TEST(AccessToken, LoadsFromTheFileFirstThenTheEnvironment) {
  const auto path = std::filesystem::temp_directory_path() / "swarm_token_test";
  std::ofstream(path) << "  " << kToken << "\n";
  const auto from_file = AccessToken::load(path.string(), "fedcba9876543210fedc");
  ASSERT_TRUE(from_file);
  EXPECT_TRUE(from_file->matches(kToken));  // surrounding whitespace dropped
  const auto from_env = AccessToken::load("", "fedcba9876543210fedc");
  ASSERT_TRUE(from_env);
  EXPECT_TRUE(from_env->matches("fedcba9876543210fedc"));
  EXPECT_FALSE(AccessToken::load("", nullptr));
  std::ofstream(path) << "\n";
  EXPECT_EQ(load_error(path.string(), nullptr),
            "--console-token-file " + path.string() +
                ": the token has 0 characters; use at least 16 (e.g. `openssl rand -hex 16`)");
  std::filesystem::remove(path);
  EXPECT_NE(load_error(path.string(), nullptr).find("cannot read"), std::string::npos);
}

TEST(AuthThrottle, EachFailureInAMinuteDoublesTheWaitUpToACap) {
  AuthThrottle throttle;
  const auto start = std::chrono::steady_clock::time_point{} + 1h;
  EXPECT_EQ(throttle.fail(start), 250ms);
  EXPECT_EQ(throttle.fail(start + 1s), 500ms);
  EXPECT_EQ(throttle.fail(start + 2s), 1000ms);
  for (int i = 0; i < 10; ++i) throttle.fail(start + 3s);
  EXPECT_EQ(throttle.fail(start + 4s), 8000ms);
  EXPECT_EQ(throttle.failures(), 14u);
  // A minute later the earlier failures no longer count.
  EXPECT_EQ(throttle.fail(start + 5min), 250ms);
  EXPECT_EQ(throttle.failures(), 15u);
}

}  // namespace
}  // namespace swarm::console
