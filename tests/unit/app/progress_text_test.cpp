// The progress line's wording: the bar, the counts, the rate, the ETA and
// the time left, within the terminal's width.
#include "app/progress_text.hpp"

#include <gtest/gtest.h>

namespace swarm::app {
namespace {

TEST(ProgressText, RampWithEtaAndTimeLeft) {
  ProgressState s;
  s.target = 100000;
  s.open = 25000;
  s.connecting = 1000;
  s.failed = 3;
  s.connect_rate = 5000;
  s.elapsed_s = 5;
  s.duration_s = 65;
  const std::string line = format_progress(s, 200);
  EXPECT_EQ(line,
            "[######..................] 25000/100000 open  25%  connecting 1000  failed 3  5.0k "
            "conn/s  ETA 15.0s  left 1m00s");
}

TEST(ProgressText, DoneAndStalled) {
  ProgressState s;
  s.target = 10;
  s.open = 10;
  EXPECT_EQ(format_progress(s, 200),
            "[########################] 10/10 open 100%  connecting 0  failed 0  0 conn/s");
  s.open = 4;
  s.failed = 6;
  EXPECT_NE(format_progress(s, 200).find("ETA -"), std::string::npos);
  ProgressState nothing;
  EXPECT_EQ(format_progress(nothing, 200).substr(0, 26), "[########################]");
}

TEST(ProgressText, FitsTheWidth) {
  ProgressState s;
  s.target = 1000000;
  s.open = 123456;
  s.connect_rate = 1234;
  s.duration_s = 3600;
  for (std::size_t width : {20u, 40u, 79u, 100u}) {
    EXPECT_LE(format_progress(s, width).size(), width);
  }
  EXPECT_TRUE(format_progress(s, 100).starts_with("[#.........]"));
}

}  // namespace
}  // namespace swarm::app
