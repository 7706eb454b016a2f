// The MQTT codec against any bytes a broker might send: the framer fed in
// pieces of any size must end packets at the same places as fed whole (or
// reject the stream at the same packet), and every framed packet read by
// the reader of its type either decodes or says what is malformed; nothing
// reads past a packet.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/builtin/mqtt/mqtt_codec.hpp"
#include "protocol/builtin/mqtt/mqtt_parser.hpp"

namespace {

namespace mqtt = swarm::protocol::builtin::mqtt;
using swarm::ReplyParser;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

/// Where each packet of `stream` ends, -1 last when the stream is rejected.
std::vector<long> packets_of(std::string_view stream, std::size_t chunk) {
  mqtt::MqttParser parser(1 << 20);
  std::vector<long> ends;
  parser.begin();
  std::size_t at = 0;
  while (at < stream.size()) {
    const std::string_view piece = stream.substr(at, chunk);
    const ReplyParser::Step step = parser.feed(piece);
    check(step.consumed <= piece.size());
    at += step.consumed;
    if (step.state == ReplyParser::State::invalid) {
      check(!parser.error().empty());
      ends.push_back(-1);
      return ends;
    }
    if (step.state == ReplyParser::State::need_more) {
      check(step.consumed == piece.size());
      continue;
    }
    ends.push_back(static_cast<long>(at));
    parser.begin();
  }
  return ends;
}

/// Reads `framed` with the reader of its type, as 3.1.1 or 5.0.
void read(std::string_view framed, std::uint8_t version) {
  const mqtt::Packet packet = mqtt::split(framed);
  check(packet.body.data() + packet.body.size() == framed.data() + framed.size());
  try {
    switch (packet.type()) {
      case mqtt::Type::connack:
        mqtt::read_connack(packet, version);
        break;
      case mqtt::Type::publish: {
        const mqtt::Publish publish = mqtt::read_publish(packet, version);
        check(publish.payload.data() + publish.payload.size() ==
              packet.body.data() + packet.body.size());
        break;
      }
      case mqtt::Type::puback:
      case mqtt::Type::pubrec:
      case mqtt::Type::pubrel:
      case mqtt::Type::pubcomp:
        mqtt::read_ack(packet, version);
        break;
      case mqtt::Type::suback:
      case mqtt::Type::unsuback:
        mqtt::read_suback(packet, version);
        break;
      case mqtt::Type::disconnect:
        mqtt::read_disconnect(packet, version);
        break;
      default:
        break;
    }
  } catch (const mqtt::DecodeError& error) {
    check(std::string_view(error.what()).starts_with("malformed "));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t chunk = 1 + data[0] % 16;
  const std::uint8_t version = (data[1] & 1) != 0 ? mqtt::kVersion5 : mqtt::kVersion311;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::vector<long> whole = packets_of(stream, stream.size() + 1);
  check(packets_of(stream, chunk) == whole);
  long start = 0;
  for (const long end : whole) {
    if (end < 0) break;
    read(stream.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)),
         version);
    start = end;
  }
  return 0;
}
