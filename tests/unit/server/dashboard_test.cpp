// server/dashboard: which requests it answers, with which content type, caching and policy.
#include "server/dashboard.hpp"

#include <gtest/gtest.h>

#include <string>

namespace colonies::server {
namespace {

namespace http = boost::beast::http;

http::request<http::string_body> request(http::verb verb, std::string target,
                                         std::string accept_encoding = "") {
    http::request<http::string_body> req{verb, target, 11};
    if (!accept_encoding.empty()) req.set(http::field::accept_encoding, accept_encoding);
    return req;
}

std::string first_asset(std::string_view suffix) {
    for (const auto& a : embedded_assets())
        if (a.path.starts_with("/assets/") && a.path.ends_with(suffix)) return std::string(a.path);
    return "";
}

TEST(Dashboard, ServesThePageWithAStrictPolicyAndNoCache) {
    ASSERT_FALSE(embedded_assets().empty()) << "the build embeds web/'s built files";
    for (const char* path : {"/", "/index.html", "/dashboard", "/dashboard/", "/?x=1"}) {
        auto res = dashboard_response(request(http::verb::get, path));
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->result(), http::status::ok);
        EXPECT_EQ(res->at(http::field::content_type), "text/html; charset=utf-8");
        EXPECT_EQ(res->at(http::field::cache_control), "no-cache");
        EXPECT_EQ(res->at("Content-Security-Policy"), kDashboardCsp);
        EXPECT_EQ(res->at("X-Content-Type-Options"), "nosniff");
        EXPECT_NE(res->body().find("<div id=\"app\">"), std::string::npos);
    }
    EXPECT_EQ(std::string(kDashboardCsp).find("unsafe"), std::string::npos);
}

TEST(Dashboard, AssetsAreImmutableWithTheirContentType) {
    const std::string js = first_asset(".js");
    const std::string css = first_asset(".css");
    ASSERT_FALSE(js.empty());
    ASSERT_FALSE(css.empty());
    auto res = dashboard_response(request(http::verb::get, js));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at(http::field::content_type), "text/javascript; charset=utf-8");
    EXPECT_EQ(res->at(http::field::cache_control), "public, max-age=31536000, immutable");
    EXPECT_FALSE(res->count(http::field::content_encoding));
    res = dashboard_response(request(http::verb::get, css));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at(http::field::content_type), "text/css; charset=utf-8");
    // The page names exactly these files.
    auto page = dashboard_response(request(http::verb::get, "/"));
    EXPECT_NE(page->body().find(js), std::string::npos);
    EXPECT_NE(page->body().find(css), std::string::npos);
}

TEST(Dashboard, GzipOnlyWhenAccepted) {
    const std::string js = first_asset(".js");
    auto plain = dashboard_response(request(http::verb::get, js));
    auto gz = dashboard_response(request(http::verb::get, js, "br, gzip, deflate"));
    ASSERT_TRUE(plain && gz);
    EXPECT_EQ(gz->at(http::field::content_encoding), "gzip");
    EXPECT_EQ(gz->at(http::field::vary), "Accept-Encoding");
    EXPECT_LT(gz->body().size(), plain->body().size());
    EXPECT_EQ(static_cast<unsigned char>(gz->body()[0]), 0x1f);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>(gz->body()[1]), 0x8b);
}

TEST(Dashboard, HeadHasTheLengthAndNoBody) {
    auto res = dashboard_response(request(http::verb::head, "/"));
    auto get = dashboard_response(request(http::verb::get, "/"));
    ASSERT_TRUE(res && get);
    EXPECT_TRUE(res->body().empty());
    EXPECT_EQ(res->at(http::field::content_length), std::to_string(get->body().size()));
}

TEST(Dashboard, LeavesEveryOtherRequestToTheServer) {
    EXPECT_FALSE(dashboard_response(request(http::verb::post, "/")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/api")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/health")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/assets/missing.js")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/assets/../index.html")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/index.html.gz")));
    EXPECT_FALSE(dashboard_response(request(http::verb::get, "/other")));
}

}  // namespace
}  // namespace colonies::server
