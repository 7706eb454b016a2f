// Text from the network shown back to a person: escaped, so that bytes a
// peer sent cannot drive the reader's terminal.
#pragma once

#include <string>
#include <string_view>

namespace swarm::console {

/// `text` with every byte outside printable ASCII (controls, DEL, and bytes
/// >= 0x80) written as `\xNN`.
std::string printable(std::string_view text);

}  // namespace swarm::console
