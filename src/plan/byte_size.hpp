// Byte sizes as people write them on the command line: `1048576`, `512KiB`,
// `64MiB`, `1GiB`, and the decimal `64KB`, `10MB`, `1GB`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::plan {

/// A whole number of bytes with an optional unit: B, KiB/MiB/GiB/TiB
/// (powers of 1024; K, M, G and T alone mean the same), KB/MB/GB/TB (powers
/// of 1000). nullopt for empty text, a sign, a fraction, an unknown unit or
/// a value past 2^62.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

/// The shortest exact form: `1GiB`, `512KiB`, `1000 bytes`.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace swarm::plan
