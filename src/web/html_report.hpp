// The HTML report (--html FILE): one self-contained page made of the JSON
// report and the dashboard's own chart code, everything inline, so it opens
// from a file, offline, years later.
#pragma once

#include <string>
#include <string_view>

namespace swarm::web {

/// The page for `report_json` (the text --report writes).
std::string render_html_report(std::string_view report_json);

/// `json` made safe inside a <script> element: "</" and "<!--" cannot end
/// or open anything there ("<" becomes "\u003c", which JSON reads back).
std::string script_safe_json(std::string_view json);

}  // namespace swarm::web
