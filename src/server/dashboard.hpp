// The web dashboard (web/, docs/dashboard.md): maps a GET request to one of the assets embedded
// in the binary at build time, with its content type, caching and security headers. Only the
// paths it owns answer; everything else stays the server's 404 (protocol.md 1.1).
#pragma once
#include <boost/beast/http.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace colonies::server {

// One built file (web/embed.cmake generates the table; `gzip` is its precompressed copy, empty
// when there is none).
struct EmbeddedAsset {
    std::string_view path;  // "/index.html", "/assets/app-<hash>.js"
    std::string_view content;
    std::string_view gzip;
};
std::span<const EmbeddedAsset> embedded_assets();

// The policy every dashboard response carries: scripts, styles and connections from this
// server only, nothing inline, no framing.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The response for `req` when it asks for a dashboard path (GET or HEAD of `/`, `/index.html`,
// `/dashboard`, `/dashboard/` or an embedded `/assets/...` file), else nullopt.
std::optional<boost::beast::http::response<boost::beast::http::string_body>> dashboard_response(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

}  // namespace colonies::server
