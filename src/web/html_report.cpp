#include "web/html_report.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "web/web_assets.hpp"

namespace swarm::web {
namespace {

/// Replaces the one `marker` in `page` with `text`.
void fill(std::string& page, std::string_view marker, std::string_view text) {
  const std::size_t at = page.find(marker);
  if (at == std::string::npos) {
    throw std::logic_error(fmt::format("report.html has no {}", marker));
  }
  page.replace(at, marker.size(), text);
}

std::string inline_script(std::string_view name) {
  // A script's text cannot hold "</script": Chart.js and ours do not.
  return fmt::format("<script>/* {} */\n{}\n</script>\n", name, asset(name).bytes);
}

}  // namespace

std::string script_safe_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_html_report(std::string_view report_json) {
  std::string page(asset("report.html").bytes);
  fill(page, "<!--SWARM_STYLE-->", fmt::format("<style>\n{}\n</style>", asset("swarm.css").bytes));
  fill(page, "<!--SWARM_DATA-->",
       fmt::format("<script type=\"application/json\" id=\"swarm-report\">{}</script>",
                   script_safe_json(report_json)));
  fill(page, "<!--SWARM_SCRIPTS-->",
       inline_script("chart.min.js") + inline_script("charts.js") + inline_script("report.js"));
  return page;
}

}  // namespace swarm::web
