// OpenSSL's memory as swarm routes it (its own main: the functions must be
// in place before OpenSSL allocates anything): a read leaves no record
// buffer behind on an idle session, and the buffers a request takes and
// frees come back from the thread's few kept blocks.
#include "engine/tls_memory.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tls_peer.hpp"

namespace swarm::engine {
namespace {

using testing::TestCertificate;
using testing::TlsClientEnd;
using testing::TlsServerEnd;

bool counting = false;  // count_tls_memory() took effect

TlsConfig trusting(const TestCertificate& ca) {
  TlsConfig config;
  config.enabled = true;
  config.ca_file = ca.path();
  return config;
}

TEST(TlsMemory, IsCounted) {
  ASSERT_TRUE(counting);
  const std::int64_t before = tls_bytes_on_this_thread();
  TlsConfig config;
  config.enabled = true;
  config.insecure = true;
  TlsContext context(config, {});
  EXPECT_GT(tls_bytes_on_this_thread(), before);
}

TEST(TlsMemory, AReadThatTakesATicketLeavesNoBufferBehind) {
  // TLS 1.3: the server's tickets come before the first reply; handling
  // them sets up a 16 KiB write buffer that would stay until the next write.
  TestCertificate identity;
  TlsServerEnd server(identity, {.max_version = TLS1_3_VERSION});
  TlsContext context(trusting(identity), {ServerTarget{server.name(), {server.address()}, true}});
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  client.session().send("ask\r\n");
  std::string arrived;
  for (int i = 0; i < 20 && arrived.empty(); ++i) arrived = server.read();
  server.write("answer\r\n");
  server.flush();
  client.pump();
  const std::int64_t before = tls_bytes_on_this_thread();
  std::string text;
  for (int i = 0; i < 10 && text.empty() && client.session().ready(Want::read); ++i) {
    client.receive(text);
  }
  ASSERT_EQ(text, "answer\r\n");
  EXPECT_LT(tls_bytes_on_this_thread() - before, 4096);
}

TEST(TlsMemory, RequestsReuseTheKeptBuffers) {
  TestCertificate identity;
  TlsServerEnd server(identity, {});
  TlsContext context(trusting(identity), {ServerTarget{server.name(), {server.address()}, true}});
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  for (int request = 0; request < 50; ++request) {
    client.session().send("ask\r\n");
    std::string arrived;
    for (int i = 0; i < 20 && arrived.empty(); ++i) arrived = server.read();
    server.write("answer\r\n");
    server.flush();
    client.pump();
    std::string text;
    for (int i = 0; i < 10 && text.empty() && client.session().ready(Want::read); ++i) {
      client.receive(text);
    }
    ASSERT_EQ(text, "answer\r\n") << "request " << request;
  }
  // Both ends took and freed record buffers on every request: a few blocks
  // are kept, never more than the cap.
  EXPECT_GT(tls_kept_bytes_on_this_thread(), 0u);
  EXPECT_LE(tls_kept_bytes_on_this_thread(), 16u * (16896 + 22528));
}

}  // namespace
}  // namespace swarm::engine

int main(int argc, char** argv) {
  swarm::engine::counting = swarm::engine::count_tls_memory();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
