// TcpSocket's readiness flags against a real loopback peer: they follow the
// edges, and the end of the stream is never left unread.
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "line_server.hpp"
#include "tls_peer.hpp"

namespace swarm::engine {
namespace {

TEST(TcpSocketTest, DataFollowedByTheEndOfStreamLeavesTheEndToRead) {
  // The peer writes and closes at once: one edge brings both. A short read
  // takes the data; the end of stream must still be read, though no other
  // edge will come.
  testing::TestCertificate unused;
  testing::TlsServerEnd server(unused, {});
  TcpSocket socket;
  ASSERT_EQ(socket.open_and_connect(server.address(), nullptr, 0, 0), 0);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, socket.fd(), &event);
  server.accept();
  ASSERT_EQ(::send(server.fd(), "bye\r\n", 5, 0), 5);
  server.drop();
  ::usleep(20000);
  epoll_event got{};
  ASSERT_EQ(::epoll_wait(epoll, &got, 1, 1000), 1);
  socket.on_events(got.events);
  char buffer[64];
  IoResult data = socket.receive(buffer, sizeof buffer);
  EXPECT_EQ(data.bytes, 5);
  ASSERT_TRUE(socket.ready(Want::read));
  IoResult end = socket.receive(buffer, sizeof buffer);
  EXPECT_EQ(end.bytes, 0);
  EXPECT_EQ(end.error, 0);
  EXPECT_EQ(end.want, Want::none);
  ::close(epoll);
}

}  // namespace
}  // namespace swarm::engine
