#include "app/run_outputs.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "app/run_identity.hpp"
#include "plan/duration.hpp"
#include "stats/command_rows.hpp"
#include "stats/hgrm.hpp"
#include "swarm/version.hpp"
#include "web/html_report.hpp"

namespace swarm::app {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The module file the loader picks: NAME.lua first, then NAME.so.
std::pair<std::string, std::string> module_file(const std::string& dir, const std::string& name) {
  // The loader's order: NAME.lua, NAME.so, then a built-in of that name.
  std::error_code error;
  if (!dir.empty()) {
    const fs::path lua = fs::path(dir) / (name + ".lua");
    const fs::path native = fs::path(dir) / (name + ".so");
    if (fs::is_regular_file(lua, error)) return {fs::absolute(lua, error).string(), "lua"};
    if (fs::is_regular_file(native, error)) return {fs::absolute(native, error).string(), "native"};
  }
  return {"", "builtin"};
}

std::int64_t signed_count(std::size_t value) {
  return static_cast<std::int64_t>(value);
}

std::vector<std::pair<std::string, stats::FlagValue>> flags_of(const Options& o) {
  using stats::FlagValue;
  auto duration = [](std::chrono::nanoseconds d) { return FlagValue{plan::format_duration(d)}; };
  auto text_or_null = [](const std::string& s) { return s.empty() ? FlagValue{} : FlagValue{s}; };
  return {
      {"listen", o.listen},
      {"server", o.servers},
      {"script", o.script},
      {"protocol-dir", o.protocol_dir},
      {"threads", signed_count(o.threads)},
      {"connections", signed_count(o.connections)},
      {"duration", o.duration ? duration(*o.duration) : FlagValue{}},
      {"interval", duration(o.interval)},
      {"connect-rate", o.connect_rate},
      {"rate", o.rate ? FlagValue{*o.rate} : FlagValue{}},
      {"max-connecting", signed_count(o.max_connecting)},
      {"timeout", duration(o.timeout)},
      {"connect-timeout", duration(o.connect_timeout)},
      {"max-reply", o.max_reply ? FlagValue{signed_count(*o.max_reply)} : FlagValue{}},
      {"sndbuf", std::int64_t{o.sndbuf}},
      {"rcvbuf", o.rcvbuf ? FlagValue{std::int64_t{*o.rcvbuf}} : FlagValue{}},
      {"source", text_or_null(o.sources)},
      {"max-sessions", signed_count(o.max_sessions)},
      {"seed", static_cast<std::int64_t>(o.seed)},
      {"report", text_or_null(o.report)},
      {"hdr-dir", text_or_null(o.hdr_dir)},
      {"threshold", o.thresholds},
      {"http", text_or_null(o.http)},
      {"html", text_or_null(o.html)},
      {"lua-memory-limit", static_cast<std::int64_t>(o.lua_memory_limit)},
      {"lua-call-limit", duration(o.lua_call_limit)},
      {"console-token-file", text_or_null(o.console_token_file)},  // the path, never the token
      {"console-idle-timeout", duration(o.console_idle_timeout)},
      {"console-log", text_or_null(o.console_log)},
      {"tls", o.tls},
      {"tls-ca", text_or_null(o.tls_ca)},
      {"tls-insecure", o.tls_insecure},
      {"tls-sni", o.tls_sni ? FlagValue{*o.tls_sni} : FlagValue{}},
      {"tls-cert", text_or_null(o.tls_cert)},
      {"tls-key", text_or_null(o.tls_key)},
      {"tls-alpn", o.tls_alpn},
      {"tls-min-version", text_or_null(o.tls_min_version)},
      {"tls-resume", o.tls_resume},
  };
}

/// A command name as a file name, `suffix` appended: anything but letters, digits, '_', '-',
/// '.' and '@' becomes '_'.
std::string file_name_for(const std::string& name, std::string_view suffix) {
  std::string out = name;
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || c == '@';
    if (!keep) c = '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out + std::string(suffix);
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (out) return true;
  std::fprintf(stderr, "swarm: cannot write %s: %s\n", path.c_str(),
               std::error_code(errno, std::generic_category()).message().c_str());
  return false;
}

bool write_hgrm_files(const fs::path& dir, const RunControl& control) {
  const stats::Recorder& totals = control.result().end.totals;
  bool ok = true;
  const bool rate_mode = control.context().rate.used();
  for (const auto& row : stats::command_rows(control.context().action_names, totals, nullptr)) {
    ok = write_file(dir / file_name_for(row.name, ".hgrm"),
                    stats::format_hgrm(row.now.latency_us)) &&
         ok;
    // Rate mode: the latency from each call's due time, beside the service time.
    if (!rate_mode) continue;
    ok = write_file(dir / file_name_for(row.name, ".intended.hgrm"),
                    stats::format_hgrm(row.now.intended_us)) &&
         ok;
  }
  if (control.context().tls) {
    ok = write_file(dir / "@handshake.hgrm", stats::format_hgrm(totals.handshake_us)) && ok;
  }
  return write_file(dir / "@connect.hgrm", stats::format_hgrm(totals.connect_us)) && ok;
}

/// Throws when `file` (given to `flag`) could not be written at the end.
void check_writable(const std::string& flag, const std::string& file) {
  fs::path dir = fs::path(file).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code error;
  if (fs::is_directory(file, error)) {
    throw std::runtime_error(fmt::format("{}: {} is a directory", flag, file));
  }
  if (!fs::is_directory(dir, error) || ::access(dir.c_str(), W_OK) != 0) {
    throw std::runtime_error(fmt::format("{}: cannot write {}: {} is not a writable directory",
                                         flag, file, dir.string()));
  }
}

}  // namespace

const char* swarm_version() noexcept {
  return SWARM_VERSION;
}

OutputFiles output_files(const Options& options) {
  return {options.report, options.html, options.hdr_dir};
}

void prepare_outputs(const OutputFiles& files) {
  if (!files.report.empty()) check_writable("--report", files.report);
  if (!files.html.empty()) check_writable("--html", files.html);
  if (!files.hdr_dir.empty()) {
    std::error_code error;
    fs::create_directories(files.hdr_dir, error);
    if (error || !fs::is_directory(files.hdr_dir) || ::access(files.hdr_dir.c_str(), W_OK) != 0) {
      throw std::runtime_error(fmt::format("--hdr-dir: cannot use {}: {}", files.hdr_dir,
                                           error ? error.message() : "not a writable directory"));
    }
  }
}

void describe_host(stats::RunConfig& config) {
  config.version = swarm_version();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  config.host = host;
  utsname names{};
  if (::uname(&names) == 0) config.kernel = fmt::format("{} {}", names.sysname, names.release);
  config.cores = std::thread::hardware_concurrency();
  config.started_at = std::chrono::system_clock::now();
}

stats::RunConfig run_config(const Options& options, const plan::Plan& plan, std::uint64_t seed) {
  stats::RunConfig config;
  config.argv = options.argv;
  Options effective = options;
  effective.seed = seed;
  config.flags = flags_of(effective);
  config.plan_path = options.script;
  config.plan_text = read_text(options.script);
  config.protocol = plan.protocol;
  std::tie(config.module_path, config.module_kind) =
      module_file(options.protocol_dir, plan.protocol);
  config.digest = plan_digest(config.plan_text, read_text(config.module_path));
  describe_host(config);
  return config;
}

std::string write_html_now(stats::RunConfig config, RunControl& control, const std::string& path) {
  config.ended_at = std::chrono::system_clock::now();
  stats::Snapshot now = control.snapshot_now();
  stats::Recorder gauges = now.totals;
  stats::RunRecord record{std::move(config),
                          control.context(),
                          std::move(now),
                          std::move(gauges),
                          control.intervals(),
                          {},
                          "still running (stat html)",
                          0,
                          control.agents()};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << web::render_html_report(stats::format_json_report(record));
  out.close();
  if (!out) {
    return fmt::format("Error: cannot write {}: {}", path,
                       std::error_code(errno, std::generic_category()).message());
  }
  return fmt::format("OK: wrote {}", path);
}

bool write_outputs(const OutputFiles& files, stats::RunConfig config, const RunControl& control,
                   int exit_status) {
  bool ok = true;
  if (!files.hdr_dir.empty()) ok = write_hgrm_files(files.hdr_dir, control);
  if (!ok && exit_status == 0) exit_status = 1;
  if (!files.report.empty() || !files.html.empty()) {
    config.ended_at = std::chrono::system_clock::now();
    const RunEnd& end = control.result();
    stats::RunRecord record{std::move(config), control.context(),   end.end,
                            end.at_stop,       control.intervals(), end.thresholds,
                            end.reason,        exit_status,         control.agents()};
    const std::string json = stats::format_json_report(record);
    if (!files.report.empty()) ok = write_file(files.report, json) && ok;
    if (!files.html.empty()) ok = write_file(files.html, web::render_html_report(json)) && ok;
  }
  return ok;
}

}  // namespace swarm::app
