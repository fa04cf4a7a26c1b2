#include "server/dashboard.hpp"

#include <array>
#include <utility>

namespace colonies::server {
namespace http = boost::beast::http;

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
}};

std::string_view content_type(std::string_view path) {
    for (const auto& [ext, type] : kTypes)
        if (path.ends_with(ext)) return type;
    return "application/octet-stream";
}

const EmbeddedAsset* find_asset(std::string_view path) {
    for (const auto& a : embedded_assets())
        if (a.path == path) return &a;
    return nullptr;
}

bool accepts_gzip(const http::request<http::string_body>& req) {
    auto it = req.find(http::field::accept_encoding);
    return it != req.end() && it->value().find("gzip") != std::string_view::npos;
}

}  // namespace

std::optional<http::response<http::string_body>> dashboard_response(
    const http::request<http::string_body>& req) {
    if (req.method() != http::verb::get && req.method() != http::verb::head) return std::nullopt;
    auto target = req.target();
    std::string_view path(target.data(), target.size());
    path = path.substr(0, path.find('?'));
    const bool index =
        path == "/" || path == "/index.html" || path == "/dashboard" || path == "/dashboard/";
    if (!index && !path.starts_with("/assets/")) return std::nullopt;
    const EmbeddedAsset* asset = find_asset(index ? "/index.html" : path);
    if (!asset) return std::nullopt;

    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, content_type(asset->path));
    // Asset names carry a hash of their content: they never change. The page naming them must
    // always be asked for again, so a new build is picked up at once.
    res.set(http::field::cache_control, index ? "no-cache" : "public, max-age=31536000, immutable");
    res.set("Content-Security-Policy", kDashboardCsp);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::vary, "Accept-Encoding");
    const bool gz = !asset->gzip.empty() && accepts_gzip(req);
    if (gz) res.set(http::field::content_encoding, "gzip");
    const auto& body = gz ? asset->gzip : asset->content;
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
        return res;
    }
    res.body().assign(body.data(), body.size());
    res.prepare_payload();
    return res;
}

}  // namespace colonies::server
