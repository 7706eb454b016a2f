// Who may use the endpoint: loopback names only without a token, never
// another site's page, and the token from a header or the cookie.
#include "web/http_access.hpp"

#include <gtest/gtest.h>

namespace swarm::web {
namespace {

HttpRequest request(std::string method, std::string host, std::string path = "/api/status") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers["host"] = std::move(host);
  return r;
}

TEST(HttpAccess, LoopbackNamesOnlyWithoutAToken) {
  const HttpAccess access(std::nullopt);
  for (const char* host :
       {"127.0.0.1:8412", "localhost:8412", "[::1]:8412", "127.9.9.9", "localhost"}) {
    EXPECT_FALSE(access.check(request("GET", host)).refusal) << host;
  }
  for (const char* host : {"evil.example:8412", "127.0.0.1.evil.example", "10.0.0.1:8412", ""}) {
    const auto verdict = access.check(request("GET", host));
    ASSERT_TRUE(verdict.refusal) << host;
    EXPECT_EQ(verdict.refusal->status, 403) << host;
  }
}

TEST(HttpAccess, AnotherSitesPageCannotPost) {
  const HttpAccess access(std::nullopt);
  auto post = request("POST", "127.0.0.1:8412", "/api/stop");
  post.headers["origin"] = "http://127.0.0.1:8412";
  EXPECT_FALSE(access.check(post).refusal);
  post.headers["origin"] = "https://evil.example";
  ASSERT_TRUE(access.check(post).refusal);
  EXPECT_EQ(access.check(post).refusal->status, 403);
  auto get = request("GET", "127.0.0.1:8412");
  get.headers["origin"] = "https://evil.example";
  EXPECT_FALSE(access.check(get).refusal);
}

TEST(HttpAccess, TokenFromHeaderCookieOrFirstVisit) {
  int failures = 0;
  const HttpAccess access(TokenCheck{[](std::string_view t) { return t == "s3cret-token-0123"; },
                                     [&failures] {
                                       ++failures;
                                       return std::chrono::milliseconds(250 * failures);
                                     }});
  EXPECT_TRUE(access.needs_token());
  auto r = request("GET", "10.1.2.3:8412");
  auto verdict = access.check(r);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_EQ(verdict.delay.count(), 0);  // nothing offered: nothing to slow
  r.headers["authorization"] = "Bearer s3cret-token-0123";
  EXPECT_FALSE(access.check(r).refusal);
  r.headers["authorization"] = "Bearer wrong";
  verdict = access.check(r);
  ASSERT_TRUE(verdict.refusal);
  EXPECT_EQ(verdict.delay.count(), 250);
  EXPECT_EQ(access.check(r).delay.count(), 500);
  r.headers.erase("authorization");
  r.headers["cookie"] = "a=b; swarm_token=s3cret-token-0123; c=d";
  EXPECT_FALSE(access.check(r).refusal);
  auto visit = request("GET", "10.1.2.3:8412", "/");
  visit.query["token"] = "s3cret-token-0123";
  EXPECT_FALSE(access.check(visit).refusal);
  auto elsewhere = request("GET", "10.1.2.3:8412", "/api/status");
  elsewhere.query["token"] = "s3cret-token-0123";
  EXPECT_TRUE(access.check(elsewhere).refusal);  // tokens in addresses end up in logs
}

TEST(HttpAccess, CookieValues) {
  EXPECT_EQ(cookie_value("a=1; swarm_token=x ;b=2", "swarm_token"), "x");
  EXPECT_FALSE(cookie_value("a=1", "swarm_token"));
  EXPECT_TRUE(is_loopback_host("foo.localhost:1"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1x"));
}

}  // namespace
}  // namespace swarm::web
