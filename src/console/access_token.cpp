#include "console/access_token.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace swarm::console {
namespace {

constexpr auto kWindow = std::chrono::minutes(1);             // failures count this long
constexpr auto kFirstDelay = std::chrono::milliseconds(250);  // after the first failure
constexpr auto kMaxDelay = std::chrono::seconds(8);           // the longest wait

std::string trimmed(std::string text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && blank(text.back())) text.pop_back();
  const auto first = std::find_if_not(text.begin(), text.end(), blank);
  return std::string(first, text.end());
}

std::string read_token_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error(
        fmt::format("--console-token-file {}: cannot read: {}", file, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return trimmed(std::move(text).str());
}

}  // namespace

std::optional<AccessToken> AccessToken::load(const std::string& file, const char* env_value) {
  if (!file.empty()) {
    return AccessToken(read_token_file(file), fmt::format("--console-token-file {}", file));
  }
  if (env_value != nullptr) return AccessToken(trimmed(env_value), "SWARM_CONSOLE_TOKEN");
  return std::nullopt;
}

AccessToken::AccessToken(std::string secret, std::string_view origin) : secret_(std::move(secret)) {
  const bool clean = std::all_of(secret_.begin(), secret_.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
  if (!clean) {
    throw std::runtime_error(fmt::format(
        "{}: the token must be printable characters without spaces (it is typed after `auth`)",
        origin));
  }
  if (secret_.size() < kMinLength) {
    throw std::runtime_error(fmt::format(
        "{}: the token has {} characters; use at least {} (e.g. `openssl rand -hex 16`)", origin,
        secret_.size(), kMinLength));
  }
}

bool AccessToken::matches(std::string_view offered) const noexcept {
  // Every byte position of the longer string is visited and folded in, so
  // the time says nothing about where the first difference is.
  const std::size_t length = std::max(secret_.size(), offered.size());
  unsigned difference = secret_.size() == offered.size() ? 0u : 1u;
  for (std::size_t i = 0; i < length; ++i) {
    const auto a = i < secret_.size() ? static_cast<unsigned char>(secret_[i]) : 0u;
    const auto b = i < offered.size() ? static_cast<unsigned char>(offered[i]) : 0u;
    difference |= a ^ b;
  }
  return difference == 0;
}

std::chrono::milliseconds AuthThrottle::fail(std::chrono::steady_clock::time_point now) {
  ++total_;
  while (!recent_.empty() && now - recent_.front() > kWindow) recent_.pop_front();
  recent_.push_back(now);
  if (recent_.size() > 64) recent_.pop_front();  // the delay is at its cap long before
  const std::size_t doublings = std::min<std::size_t>(recent_.size() - 1, 6);
  return std::min<std::chrono::milliseconds>(kFirstDelay * (1u << doublings), kMaxDelay);
}

}  // namespace swarm::console
