// Byte sizes as people write them on the command line: `1048576`, `64KiB`,
// `1MiB`, `1M`, `2g`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::plan {

/// Parses a whole number of bytes with an optional unit: none or `B`;
/// `K`/`KB`/`KiB`, `M`/`MB`/`MiB`, `G`/`GB`/`GiB` (any case), all powers of
/// 1024, as memory sizes are. Returns nullopt for empty text, a sign, a
/// fraction, spaces, an unknown unit or a value past 2^63 bytes.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

/// Formats a byte count for messages, shortest exact form: `512B`, `64KiB`,
/// `1MiB`, `1536B`.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace swarm::plan
