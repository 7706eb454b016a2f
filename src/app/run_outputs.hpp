// The files a run leaves behind: the JSON report (--report) and one .hgrm
// per command (--hdr-dir). Checked before the run starts, so a typo in a
// path costs nothing; written after the final report.
#pragma once

#include <string>

#include "app/options.hpp"
#include "app/run_control.hpp"
#include "plan/plan.hpp"
#include "stats/json_report.hpp"

namespace swarm::app {

/// swarm's version, as the report records it.
const char* swarm_version() noexcept;

/// The files a run writes at its end (empty: not asked for).
struct OutputFiles {
  std::string report;   // --report: the JSON report
  std::string html;     // --html: the HTML report
  std::string hdr_dir;  // --hdr-dir: one .hgrm per command
};

/// The files `options` asks for.
OutputFiles output_files(const Options& options);

/// Makes sure the outputs can be written: --report's directory exists and
/// is writable, --hdr-dir exists (created if need be). Throws
/// std::runtime_error naming the flag and the reason.
void prepare_outputs(const OutputFiles& files);

/// The configuration part of the report: flags (with the `seed` the run
/// uses), plan, module and their digest, host, start.
stats::RunConfig run_config(const Options& options, const plan::Plan& plan, std::uint64_t seed);

/// This machine's name, kernel and cores, and the start time, into `config`.
void describe_host(stats::RunConfig& config);

/// `stat html FILE`: writes the HTML report of the run so far (a fresh
/// snapshot, every interval until now) to `path`; returns the console's
/// answer ("OK: wrote FILE" or "Error: ...").
std::string write_html_now(stats::RunConfig config, RunControl& control, const std::string& path);

/// Writes the JSON report and the .hgrm files that were asked for. Returns
/// false (after saying why on stderr) when one could not be written.
bool write_outputs(const OutputFiles& files, stats::RunConfig config, const RunControl& control,
                   int exit_status);

}  // namespace swarm::app
