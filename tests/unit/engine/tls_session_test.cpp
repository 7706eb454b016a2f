// TlsSession against an OpenSSL server over loopback, one step at a time:
// what each call waits for, that readiness covers records OpenSSL already
// holds (no lost wake-up) and never repeats without progress (no busy
// loop), the two ways a stream ends, resumption, and how failures are
// named.
#include <gtest/gtest.h>

#include <string>

#include "tls_peer.hpp"

namespace swarm::engine {
namespace {

using testing::TestCertificate;
using testing::TlsClientEnd;
using testing::TlsServerEnd;

TlsConfig trusting(const TestCertificate& ca) {
  TlsConfig config;
  config.enabled = true;
  config.ca_file = ca.path();
  return config;
}

std::vector<ServerTarget> servers_for(const TlsServerEnd& server) {
  return {ServerTarget{server.name(), {server.address()}, true}};
}

/// The failure counted last, as the reports show it.
std::pair<std::string, std::string> counted(const TlsContext& context) {
  stats::Recorder recorder;
  context.count_failure(recorder);
  if (recorder.error_details.empty()) return {};
  return {recorder.error_details.begin()->first, recorder.error_details.begin()->second.first};
}

class TlsSessionTest : public ::testing::Test {
 protected:
  TestCertificate identity_;
};

TEST_F(TlsSessionTest, HandshakesAndCarriesBytesBothWays) {
  TlsServerEnd server(identity_, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  IoResult done = client.handshake(server);
  ASSERT_EQ(done.error, 0);
  ASSERT_EQ(done.want, Want::none);
  EXPECT_FALSE(client.session().resumed());

  IoResult sent = client.session().send("ping\r\n");
  EXPECT_EQ(sent.bytes, 6);
  std::string arrived;
  for (int i = 0; i < 20 && arrived.empty(); ++i) arrived = server.read();
  EXPECT_EQ(arrived, "ping\r\n");

  server.write("pong\r\n");
  server.flush();
  client.pump();
  std::string text;
  while (client.session().ready(Want::read) && text.size() < 6) client.receive(text);
  EXPECT_EQ(text, "pong\r\n");
}

TEST_F(TlsSessionTest, RecordsThatArriveTogetherStayReadyAfterTheSocketDrains) {
  // Three records in one segment: one read takes them all from the socket
  // (read ahead), the socket is drained, and no edge will come for the two
  // records OpenSSL holds. ready() must say so, or they would wait forever.
  TlsServerEnd server(identity_, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  server.write("first,");
  server.write("second,");
  server.write("third");
  server.flush();
  client.pump();
  std::string text;
  int calls = 0;
  while (client.session().ready(Want::read) && calls < 20) {
    ++calls;
    client.receive(text);
    if (text == "first,") {
      EXPECT_FALSE(client.socket().readable);  // drained, records held
    }
  }
  EXPECT_EQ(text, "first,second,third");
  EXPECT_LE(calls, 6);  // a few calls, not a spin (tickets may come first)
  char spare[16];
  EXPECT_EQ(client.session().receive(spare, sizeof spare).want, Want::read);
}

TEST_F(TlsSessionTest, ARecordCutAtEveryByteIsWaitedForWithoutSpinning) {
  TlsServerEnd server(identity_, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  const std::string message(300, 'x');
  server.write(message);
  const std::string wire = server.held();
  std::string text;
  int calls = 0;
  for (std::size_t sent = 0; sent < wire.size(); ++sent) {
    ::send(server.fd(), wire.data() + sent, 1, 0);
    client.pump(20);
    for (int round = 0; client.session().ready(Want::read); ++round) {
      ASSERT_LT(round, 3) << "ready() stays true without progress at byte " << sent;
      ++calls;
      client.receive(text);
    }
  }
  EXPECT_EQ(text, message);
  EXPECT_LE(calls, static_cast<int>(2 * wire.size()));
}

TEST_F(TlsSessionTest, CloseNotifyAndATcpCloseBothEndTheStream) {
  for (bool notify : {true, false}) {
    TlsServerEnd server(identity_, {});
    TlsContext context(trusting(identity_), servers_for(server));
    TlsClientEnd client(context, server.address());
    server.accept();
    ASSERT_EQ(client.handshake(server).error, 0);
    if (notify) {
      SSL_shutdown(server.ssl());
      server.flush();
    } else {
      server.drop();
    }
    client.pump();
    std::string text;
    IoResult got{1, 0, Want::read};
    for (int i = 0; i < 10 && (got.want != Want::none); ++i) {
      got = client.receive(text);
      if (got.want != Want::none) client.pump();
    }
    EXPECT_EQ(got.bytes, 0) << "close_notify " << notify;
    EXPECT_EQ(got.error, 0) << "close_notify " << notify;
    EXPECT_EQ(got.want, Want::none) << "close_notify " << notify;
  }
}

TEST_F(TlsSessionTest, ClosingSaysCloseNotify) {
  TlsServerEnd server(identity_, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  client.close();
  for (int i = 0; i < 20 && server.last_error() != SSL_ERROR_ZERO_RETURN; ++i) server.read();
  EXPECT_EQ(server.last_error(), SSL_ERROR_ZERO_RETURN);
}

TEST_F(TlsSessionTest, RenegotiationMakesAReadWaitToWriteAndAWriteWaitToRead) {
  // The server renegotiates (TLS 1.2). The client's read must send a
  // ClientHello first: with the socket full it waits for writability. Then,
  // mid-handshake, its write must read the server's answer first, so it
  // waits for readability. Both go on once the socket is ready, as the
  // connection's loop drives them.
  TlsServerEnd server(identity_, {.max_version = TLS1_2_VERSION});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  ASSERT_EQ(SSL_renegotiate(server.ssl()), 1);
  server.handshake();  // the HelloRequest
  client.pump();
  // Full, as after a send that met EAGAIN. (A kernel buffer filled with
  // TLS data would leave a record half-written, and OpenSSL puts off a
  // renegotiation until that record is out.)
  client.socket().writable = false;
  std::string text;
  IoResult got = client.receive(text);
  EXPECT_EQ(got.want, Want::write);
  EXPECT_FALSE(client.session().ready(Want::write));
  EXPECT_EQ(client.session().receive(text.data(), 0).want, Want::write);  // still, no spin

  client.socket().writable = true;  // the edge
  ASSERT_TRUE(client.session().ready(Want::write));
  got = client.receive(text);
  EXPECT_EQ(got.want, Want::read);  // the hello went out; the answer is awaited

  // A write now must wait for the server's handshake reply.
  const std::string hello = "hello";
  IoResult sent = client.session().send(hello);
  EXPECT_EQ(sent.want, Want::read);
  EXPECT_FALSE(client.session().ready(Want::read));
  std::string arrived;
  for (int i = 0; i < 500 && sent.bytes == 0; ++i) {
    arrived += server.read();
    client.pump(5);
    if (sent.want == Want::none || client.session().ready(sent.want)) {
      sent = client.session().send(hello);
    }
  }
  EXPECT_EQ(sent.bytes, 5);
  for (int i = 0; i < 50 && !arrived.ends_with(hello); ++i) arrived += server.read();
  EXPECT_EQ(arrived, hello);
  EXPECT_EQ(SSL_renegotiate_pending(server.ssl()), 0);  // the new handshake completed
}

TEST_F(TlsSessionTest, AReconnectResumesTheLastSession) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsServerEnd server(identity_, {.max_version = version});
    TlsConfig config = trusting(identity_);
    config.resume = true;
    TlsContext context(config, servers_for(server));
    {
      TlsClientEnd first(context, server.address());
      server.accept();
      ASSERT_EQ(first.handshake(server).error, 0);
      EXPECT_FALSE(first.session().resumed());
      server.read();  // TLS 1.3 tickets go out after the client's Finished
      first.pump();
      first.close();  // takes a ticket that has arrived
    }
    ASSERT_GT(context.kept_sessions(0), 0u) << "version " << version;
    TlsClientEnd second(context, server.address());
    server.accept();
    ASSERT_EQ(second.handshake(server).error, 0);
    EXPECT_TRUE(second.session().resumed()) << "version " << version;
  }
}

TEST_F(TlsSessionTest, AnUntrustedCertificateIsAVerifyFailureNamingIt) {
  TestCertificate stranger("stranger");
  TlsServerEnd server(stranger, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  IoResult done = client.handshake(server);
  EXPECT_EQ(done.error, kTlsFailure);
  auto [kind, message] = counted(context);
  EXPECT_EQ(kind, "tls_verify");
  EXPECT_NE(message.find("certificate verify failed"), std::string::npos) << message;
  EXPECT_NE(message.find("CN=stranger"), std::string::npos) << message;
  EXPECT_NE(message.find(server.name()), std::string::npos) << message;
}

TEST_F(TlsSessionTest, TheWrongNameIsAVerifyFailure) {
  TlsServerEnd server(identity_, {});
  TlsConfig config = trusting(identity_);
  config.sni = "elsewhere.example";
  TlsContext context(config, servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  EXPECT_EQ(client.handshake(server).error, kTlsFailure);
  auto [kind, message] = counted(context);
  EXPECT_EQ(kind, "tls_verify");
  EXPECT_NE(message.find("hostname mismatch"), std::string::npos) << message;
}

TEST_F(TlsSessionTest, AnAlertIsCountedByItsName) {
  // No client certificate for a server that requires one: TLS 1.2 fails
  // the handshake; TLS 1.3 says so after it, on the first read.
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsServerEnd server(identity_, {.max_version = version, .require_client_certificate = true});
    TlsContext context(trusting(identity_), servers_for(server));
    TlsClientEnd client(context, server.address());
    server.accept();
    IoResult result = client.handshake(server);
    if (version == TLS1_3_VERSION) {
      ASSERT_EQ(result.error, 0);
      for (int i = 0; i < 20 && server.last_error() != SSL_ERROR_SSL; ++i) server.handshake();
      client.pump();
      std::string text;
      result = client.receive(text);
    }
    EXPECT_EQ(result.error, kTlsFailure) << "version " << version;
    auto [kind, message] = counted(context);
    EXPECT_EQ(kind, version == TLS1_3_VERSION ? "tls_alert:certificate_required"
                                              : "tls_alert:handshake_failure");
    EXPECT_NE(message.find("the server sent alert"), std::string::npos) << message;
  }
}

TEST_F(TlsSessionTest, AClientCertificateSatisfiesTheServer) {
  TlsServerEnd server(identity_, {.require_client_certificate = true});
  TlsConfig config = trusting(identity_);
  config.cert_file = identity_.path();  // certificate and key in one PEM
  TlsContext context(config, servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  ASSERT_EQ(client.handshake(server).error, 0);
  client.session().send("hello");
  std::string arrived;
  for (int i = 0; i < 20 && arrived.empty(); ++i) arrived = server.read();
  EXPECT_EQ(arrived, "hello");
}

TEST_F(TlsSessionTest, APlainServerIsAHandshakeFailureWithAHint) {
  TlsServerEnd server(identity_, {});
  TlsContext context(trusting(identity_), servers_for(server));
  TlsClientEnd client(context, server.address());
  server.accept();
  const char reply[] = "-ERR unknown command\r\n";
  client.session().handshake();  // the ClientHello goes out
  ::send(server.fd(), reply, sizeof reply - 1, 0);
  client.pump();
  IoResult result{};
  for (int i = 0; i < 5; ++i) {
    result = client.session().handshake();
    if (result.want == Want::none) break;
    client.pump();
  }
  EXPECT_EQ(result.error, kTlsFailure);
  auto [kind, message] = counted(context);
  EXPECT_EQ(kind, "tls_handshake");
  EXPECT_NE(message.find("does the server speak TLS"), std::string::npos) << message;
}

TEST(TlsAlertNames, AreTheRfcNames) {
  EXPECT_EQ(tls_alert_name(40), "handshake_failure");
  EXPECT_EQ(tls_alert_name(48), "unknown_ca");
  EXPECT_EQ(tls_alert_name(116), "certificate_required");
  EXPECT_EQ(tls_alert_name(120), "no_application_protocol");
  EXPECT_EQ(tls_alert_name(250), "250");
}

TEST(TlsContextSetup, BadFilesAreNamedWithTheirFlag) {
  TlsConfig config;
  config.enabled = true;
  config.ca_file = "/nonexistent/ca.pem";
  try {
    TlsContext context(config, {});
    FAIL() << "no error for a missing CA file";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "--tls-ca /nonexistent/ca.pem: no such file");
  }
  char path[] = "/tmp/swarm-not-a-ca-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_EQ(::write(fd, "not a certificate\n", 18), 18);
  ::close(fd);
  config.ca_file = path;
  EXPECT_THROW(TlsContext(config, {}), std::runtime_error);
  ::unlink(path);
}

}  // namespace
}  // namespace swarm::engine
