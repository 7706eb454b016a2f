#include "app/run_identity.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>

namespace swarm::app {

std::string plan_digest(std::string_view plan_text, std::string_view module_bytes) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                        &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const char separator = '\0';
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), plan_text.data(), plan_text.size()) != 1 ||
      EVP_DigestUpdate(context.get(), &separator, 1) != 1 ||
      EVP_DigestUpdate(context.get(), module_bytes.data(), module_bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1) {
    throw std::runtime_error("SHA-256 of the plan failed (OpenSSL)");
  }
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::string random_run_id() {
  std::random_device source;
  const std::uint64_t high = source();
  const std::uint64_t low = source();
  return fmt::format("{:016x}", (high << 32) ^ low);
}

stats::AgentIdentity run_identity(const stats::RunConfig& config) {
  stats::AgentIdentity identity;
  identity.run_id = random_run_id();
  identity.version = config.version;
  identity.digest = config.digest;
  identity.host = config.host;
  identity.started_unix =
      std::chrono::duration<double>(config.started_at.time_since_epoch()).count();
  return identity;
}

}  // namespace swarm::app
