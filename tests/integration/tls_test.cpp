// HTTPS on the API port when COLONIES_TLS=true with a certificate and key (protocol.md 1.7
// quirk: upstream v1.9.12 serves plain HTTP even then), including the hang-up watch of long polls
// underneath TLS.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <cstdlib>
#include <filesystem>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

struct SelfSignedCert {
    std::string dir, cert, key;
    SelfSignedCert() {
        char tmpl[] = "/tmp/colonies-tls-XXXXXX";
        dir = mkdtemp(tmpl);
        cert = dir + "/cert.pem";
        key = dir + "/key.pem";
        std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
            "-keyout " +
            key + " -out " + cert + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("openssl could not make a cert");
    }
    ~SelfSignedCert() { std::filesystem::remove_all(dir); }
};

// A server that speaks HTTPS with `cert` (COLONIES_TLS=true plus the files).
ServerConfig https_config(const SelfSignedCert& cert) {
    ServerConfig cfg;
    cfg.tls = true;
    cfg.extra_env = {{"COLONIES_TLS", "true"}};
    cfg.extra_args = {"--tlscert", cert.cert, "--tlskey", cert.key};
    return cfg;
}

TEST(Tls, ServesTheProtocolOverHttps) {
    SelfSignedCert cert;
    ServerProcess server(https_config(cert));

    auto c = server.make_client();
    auto v = c.version();
    ASSERT_TRUE(v.ok()) << v.error().message;
    Fixture::setup_colony(c, "dev", DevIdentity::colony_prvkey, DevIdentity::server_prvkey);
    auto colonies = c.get_colonies(DevIdentity::server_prvkey);
    ASSERT_TRUE(colonies.ok());
    EXPECT_EQ(colonies->size(), 1u);

    // A plain-HTTP client cannot talk to it.
    auto opts = server.client_options();
    opts.tls = false;
    client::Client plain(opts);
    EXPECT_FALSE(plain.version().ok());
}

TEST(Tls, ADroppedLongPollLeavesNoWaiter) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    SelfSignedCert cert;
    ServerProcess server(https_config(cert));
    auto c = server.make_client();
    Fixture::setup_colony(c, "dev", DevIdentity::colony_prvkey, DevIdentity::server_prvkey);
    Fixture::add_approved_executor(c, "dev", "exec1", "cli", DevIdentity::executor_prvkey,
                                   DevIdentity::colony_prvkey);

    boost::json::object msg{{"msgtype", "assignprocessmsg"},
                            {"colonyname", "dev"},
                            {"timeout", 60},
                            {"availablecpu", ""},
                            {"availablemem", ""}};
    auto payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, DevIdentity::executor_prvkey);
    ASSERT_TRUE(sig.ok());
    http::request<http::string_body> req{http::verb::post, "/api", 11};
    req.set(http::field::host, "localhost");
    req.body() = rpc::encode_request("assignprocessmsg", payload, *sig);
    req.prepare_payload();

    asio::io_context ioc;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    asio::ssl::stream<asio::ip::tcp::socket> poll(ioc, ctx);
    poll.next_layer().connect(
        {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())});
    poll.handshake(asio::ssl::stream_base::client);
    http::write(poll, req);
    ASSERT_TRUE(wait_for_metric(c, "colonies_assign_waiters", 1, std::chrono::seconds(20)));

    // Gone without a TLS close_notify: the server notices long before the poll's 60 s.
    poll.next_layer().close();
    EXPECT_TRUE(wait_for_metric(c, "colonies_assign_waiters", 0, std::chrono::seconds(20)))
        << read_metrics(c)["colonies_assign_waiters"];
}

TEST(Tls, RefusesToStartWithoutCertificate) {
    ServerConfig cfg;
    cfg.tls = true;
    cfg.extra_env = {{"COLONIES_TLS", "true"}};
    cfg.startup_timeout = std::chrono::seconds(3);
    EXPECT_THROW(ServerProcess server(cfg), std::runtime_error);
}

}  // namespace
}  // namespace colonies::it
