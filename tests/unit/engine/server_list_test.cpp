#include "engine/server_list.hpp"

#include <gtest/gtest.h>

#include "engine/address.hpp"

namespace swarm::engine {
namespace {

ServerTarget target(const char* name, std::initializer_list<const char*> addresses) {
  ServerTarget server{name, {}, false};
  for (const char* address : addresses) server.addresses.push_back(resolve(address).front());
  return server;
}

TEST(ServerList, GoesRoundRobinOverServersAtTheirPreferredAddress) {
  ServerList list({target("a:1", {"127.0.0.1:1"}), target("b:2", {"127.0.0.2:2"})});
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.1:1");
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.2:2");
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.1:1");
}

TEST(ServerList, FallsBackThroughEveryAddressOnceThenStops) {
  ServerList list({target("name:9", {"[::1]:9", "127.0.0.1:9", "127.0.0.2:9"})});
  auto first = list.next();
  EXPECT_EQ(to_string(list.address(first)), "[::1]:9");
  auto second = list.after_failure(first, first);
  ASSERT_TRUE(second);
  EXPECT_EQ(to_string(list.address(*second)), "127.0.0.1:9");
  auto third = list.after_failure(first, *second);
  ASSERT_TRUE(third);
  EXPECT_EQ(to_string(list.address(*third)), "127.0.0.2:9");
  EXPECT_FALSE(list.after_failure(first, *third));
}

TEST(ServerList, TheAddressThatAcceptedIsTriedFirstNextTime) {
  ServerList list({target("name:9", {"[::1]:9", "127.0.0.1:9"})});
  auto first = list.next();
  auto second = *list.after_failure(first, first);
  EXPECT_TRUE(list.accepted(second));
  EXPECT_FALSE(list.accepted(second));  // already preferred: nothing new to say
  auto again = list.next();
  EXPECT_EQ(to_string(list.address(again)), "127.0.0.1:9");
  // Falling back from the preferred address wraps around to the others.
  auto wrapped = list.after_failure(again, again);
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(to_string(list.address(*wrapped)), "[::1]:9");
  EXPECT_FALSE(list.after_failure(again, *wrapped));
}

TEST(ServerList, AllFailedIsToldOnceUntilAnAddressAccepts) {
  ServerList list({target("name:9", {"[::1]:9", "127.0.0.1:9"})});
  EXPECT_TRUE(list.all_failed(0));
  EXPECT_FALSE(list.all_failed(0));
  list.accepted(list.next());
  EXPECT_TRUE(list.all_failed(0));
}

TEST(ServerList, ANewResolutionKeepsThePreferredAddressWhenStillThere) {
  ServerList list({target("name:9", {"[::1]:9", "127.0.0.1:9"})});
  list.accepted({0, 1});
  list.replace(0, {resolve("127.0.0.3:9").front(), resolve("127.0.0.1:9").front()});
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.1:9");
  list.replace(0, {resolve("127.0.0.4:9").front()});
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.4:9");
  list.replace(0, {});  // a failed resolution keeps what was there
  EXPECT_EQ(to_string(list.address(list.next())), "127.0.0.4:9");
}

TEST(ResolveServer, KeepsOnlyAddressesASourceCanReach) {
  auto v4_sources = parse_sources("127.0.0.1");
  EXPECT_THROW(resolve_server("[::1]:9", v4_sources), std::runtime_error);
  auto server = resolve_server("127.0.0.1:9", v4_sources);
  EXPECT_TRUE(server.literal);
  EXPECT_EQ(server.addresses.size(), 1u);
  EXPECT_FALSE(resolve_server("localhost:9").literal);
}

TEST(ServerName, IsTheHostWithAPortUnlessTheSchemesOwn) {
  auto name = [](std::string server, TlsConfig tls = {}) {
    ServerTarget target;
    target.name = std::move(server);
    return server_name_of(target, tls);
  };
  TlsConfig tls;
  tls.enabled = true;
  EXPECT_EQ(name("localhost:8080"), "localhost:8080");
  EXPECT_EQ(name("example.test:80"), "example.test");
  EXPECT_EQ(name("example.test:443"), "example.test:443");
  EXPECT_EQ(name("example.test:443", tls), "example.test");
  EXPECT_EQ(name("[::1]:8080"), "[::1]:8080");
  EXPECT_EQ(name("[::1]:80"), "[::1]");
  tls.sni = "api.test";
  EXPECT_EQ(name("10.0.0.1:8443", tls), "api.test:8443");
  tls.sni = "";  // no SNI: the server's own name
  EXPECT_EQ(name("10.0.0.1:443", tls), "10.0.0.1");
  EXPECT_EQ(name("made in code"), "made in code");
}

}  // namespace
}  // namespace swarm::engine
