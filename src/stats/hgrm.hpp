// HdrHistogram's percentile distribution text (`.hgrm`), as its
// outputPercentileDistribution / hdr_percentiles_print write it, so the
// files plot with HdrHistogram's plotter
// (https://hdrhistogram.github.io/HdrHistogram/plotFiles.html) and read like
// wrk2's. swarm's Histogram has HdrHistogram's layout (256 sub-buckets), so
// the walk is the same one, bucket by bucket.
#pragma once

#include <string>

#include "stats/histogram.hpp"

namespace swarm::stats {

/// The distribution of `histogram` (values in µs) as `.hgrm` text, values
/// in milliseconds with three decimals: a header, one line per reported
/// percentile (5 ticks per half distance, as HdrHistogram's default), and
/// the `#[Mean ...]` footer. Each value is its bucket's highest value, as
/// HdrHistogram reports it (swarm's own reports use the bucket's midpoint).
std::string format_hgrm(const Histogram& histogram);

}  // namespace swarm::stats
