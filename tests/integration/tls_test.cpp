// HTTPS on the API port when COLONIES_TLS=true with a certificate and key (protocol.md 1.7
// quirk: upstream v1.9.12 serves plain HTTP even then).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "harness.hpp"

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

TEST(Tls, ServesTheProtocolOverHttps) {
    SelfSignedCert cert;
    ServerConfig cfg;
    cfg.tls = true;
    cfg.extra_env = {{"COLONIES_TLS", "true"}};
    cfg.extra_args = {"--tlscert", cert.cert, "--tlskey", cert.key};
    ServerProcess server(cfg);

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

TEST(Tls, RefusesToStartWithoutCertificate) {
    ServerConfig cfg;
    cfg.tls = true;
    cfg.extra_env = {{"COLONIES_TLS", "true"}};
    cfg.startup_timeout = std::chrono::seconds(3);
    EXPECT_THROW(ServerProcess server(cfg), std::runtime_error);
}

}  // namespace
}  // namespace colonies::it
