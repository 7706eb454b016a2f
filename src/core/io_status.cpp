#include "swarm/client.hpp"

namespace swarm {

const char* to_string(IoStatus status) noexcept {
  switch (status) {
    case IoStatus::ok:
      return "ok";
    case IoStatus::closed:
      return "closed";
    case IoStatus::reset:
      return "reset";
    case IoStatus::timeout:
      return "timeout";
    case IoStatus::protocol_error:
      return "protocol_error";
    case IoStatus::aborted:
      return "aborted";
  }
  return "unknown";
}

}  // namespace swarm
