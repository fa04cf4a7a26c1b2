// One server with COLONIES_SERVER_BACKENDS=http,grpc,coap (issue 20): the process loop across
// the three doors, the same bad inputs getting the same error envelopes on each, a long poll
// parked on gRPC woken by a submit over CoAP, a retransmitted confirmable CoAP request executed
// once, and Debian's coap-client-notls submitting, assigning and closing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr size_t kMaxBody = 20000;

int pick_free_udp_port() {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// A signed POST /api body, as any SDK sends it.
std::string envelope(const std::string& msgtype, json::object msg, const std::string& prvkey) {
    msg["msgtype"] = msgtype;
    const std::string payload = rpc::base64_encode(json::serialize(msg));
    auto sig = crypto::sign(payload, prvkey);
    EXPECT_TRUE(sig.ok());
    return rpc::encode_request(msgtype, payload, sig.ok() ? sig.value() : "");
}

std::string submit_body(const std::string& funcname) {
    auto spec = Fixture::simple_spec("dev", "cli", funcname);
    return envelope("submitfuncspecmsg", {{"spec", to_json(spec)}}, DevIdentity::executor_prvkey);
}

class Backends : public ::testing::Test {
  protected:
    static ServerConfig config() {
        ServerConfig cfg;
        grpc_port_ = pick_free_port();
        coap_port_ = pick_free_udp_port();
        cfg.extra_env = {{"COLONIES_SERVER_BACKENDS", "http,grpc,coap"},
                         {"COLONIES_SERVER_GRPC_PORT", std::to_string(grpc_port_)},
                         {"COLONIES_SERVER_COAP_PORT", std::to_string(coap_port_)}};
        cfg.extra_args = {"--max-request-bytes", std::to_string(kMaxBody)};
        return cfg;
    }
    void SetUp() override {
        http_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_dev(*http_);
        grpc_ = std::make_unique<client::Client>(door("grpc", grpc_port_));
        coap_ = std::make_unique<client::Client>(door("coap", coap_port_));
    }
    client::Options door(const std::string& backend, int port) const {
        auto o = server_.client_options();
        o.backend = backend;
        o.backend_port = port;
        return o;
    }
    size_t waiting() {
        auto ps =
            http_->get_processes("dev", ProcessState::Waiting, 100, DevIdentity::executor_prvkey);
        EXPECT_TRUE(ps.ok());
        return ps.ok() ? ps->size() : 0;
    }

    static inline int grpc_port_ = 0;
    static inline int coap_port_ = 0;
    ServerProcess server_{config()};
    std::unique_ptr<client::Client> http_, grpc_, coap_;
};

TEST_F(Backends, EachDoorAnswersHealthAndVersion) {
    EXPECT_TRUE(grpc_->health());
    EXPECT_TRUE(coap_->health());
    auto v_http = http_->version(), v_grpc = grpc_->version(), v_coap = coap_->version();
    ASSERT_TRUE(v_grpc.ok()) << v_grpc.error().message;
    ASSERT_TRUE(v_coap.ok()) << v_coap.error().message;
    EXPECT_EQ(v_http.value(), v_grpc.value());
    EXPECT_EQ(v_http.value(), v_coap.value());
}

TEST_F(Backends, SubmitOverCoapAssignOverGrpcCloseOverHttp) {
    auto submitted =
        coap_->submit(Fixture::simple_spec("dev", "cli", "across"), DevIdentity::executor_prvkey);
    ASSERT_TRUE(submitted.ok()) << submitted.error().message;
    auto assigned = grpc_->assign("dev", 5, DevIdentity::executor_prvkey);
    ASSERT_TRUE(assigned.ok()) << assigned.error().message;
    EXPECT_EQ(assigned->processid, submitted->processid);
    ASSERT_TRUE(http_
                    ->close_successful(assigned->processid, json::array{"done"},
                                       DevIdentity::executor_prvkey)
                    .ok());
    auto seen = coap_->get_process(submitted->processid, DevIdentity::executor_prvkey);
    ASSERT_TRUE(seen.ok()) << seen.error().message;
    EXPECT_EQ(seen->state, ProcessState::Success);
}

TEST_F(Backends, GrpcLongPollIsWokenBySubmitOverCoap) {
    auto poll = std::async(std::launch::async, [this] {
        auto c = client::Client(door("grpc", grpc_port_));
        return c.assign("dev", 20, DevIdentity::executor_prvkey);
    });
    std::this_thread::sleep_for(500ms);
    const auto start = std::chrono::steady_clock::now();
    auto submitted =
        coap_->submit(Fixture::simple_spec("dev", "cli", "wake"), DevIdentity::executor_prvkey);
    ASSERT_TRUE(submitted.ok()) << submitted.error().message;
    ASSERT_EQ(poll.wait_for(10s), std::future_status::ready);
    auto got = poll.get();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->processid, submitted->processid);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(Backends, GrpcDeadlineEndsTheLongPollWithoutAClaim) {
    // The server would wait 30 s; the client's deadline (1 s) cancels the call.
    auto gone = grpc_->call("assignprocessmsg", {{"colonyname", "dev"}, {"timeout", 30}},
                            DevIdentity::executor_prvkey, 1s);
    ASSERT_FALSE(gone.ok());
    EXPECT_TRUE(gone.error().is(ErrorKind::Timeout)) << gone.error().message;
    EXPECT_TRUE(wait_for_metric(*http_, "colonies_assign_waiters", 0, 5000ms));
    auto submitted =
        http_->submit(Fixture::simple_spec("dev", "cli", "left"), DevIdentity::executor_prvkey);
    ASSERT_TRUE(submitted.ok());
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(waiting(), 1u);  // nobody claimed it for the departed client
}

TEST_F(Backends, CoapLongPollWaitsAndTimesOut) {
    const auto start = std::chrono::steady_clock::now();
    auto got = coap_->assign("dev", 2, DevIdentity::executor_prvkey);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().status, 404) << got.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1900ms);
}

// The reply envelope each door gives to the same raw body.
struct Replies {
    std::pair<int, std::string> http, grpc, coap;
};

Replies post_everywhere(client::Client& h, client::Client& g, client::Client& c,
                        const std::string& body) {
    auto a = h.post_raw(body), b = g.post_raw(body), d = c.post_raw(body);
    EXPECT_TRUE(a.ok() && b.ok() && d.ok());
    if (!a.ok() || !b.ok() || !d.ok()) return {};
    return {*a, *b, *d};
}

void expect_same_error(const Replies& r, int status, const std::string& text) {
    auto e = rpc::decode_reply(r.http.first, r.http.second);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().status, status);
    EXPECT_NE(e.error().message.find(text), std::string::npos) << e.error().message;
    EXPECT_EQ(r.http.first, status);
    // The same envelope, byte for byte, on gRPC (in json_payload) and CoAP (the payload).
    EXPECT_EQ(r.grpc.second, r.http.second);
    EXPECT_EQ(r.coap.second, r.http.second);
}

TEST_F(Backends, SameBadInputsGetSameErrorsOnEveryDoor) {
    const size_t before = waiting();
    // Malformed envelope.
    auto malformed = post_everywhere(*http_, *grpc_, *coap_, "{\"payloadtype\": ");
    expect_same_error(malformed, 400, "");
    EXPECT_EQ(malformed.coap.first, 205);
    // Payload that is not base64 JSON.
    auto bad_payload = post_everywhere(
        *http_, *grpc_, *coap_,
        rpc::encode_request("submitfuncspecmsg", "bm90IGpzb24=",
                            crypto::sign("bm90IGpzb24=", DevIdentity::executor_prvkey).value()));
    expect_same_error(bad_payload, 400, "invalid JSON");
    // Bad signature: a valid submit whose signature is another payload's.
    auto body = json::parse(submit_body("badsig")).as_object();
    body["signature"] = crypto::sign("b3RoZXI=", DevIdentity::executor_prvkey).value();
    auto bad_sig = post_everywhere(*http_, *grpc_, *coap_, json::serialize(body));
    auto e = rpc::decode_reply(bad_sig.http.first, bad_sig.http.second);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(bad_sig.grpc.second, bad_sig.http.second);
    EXPECT_EQ(bad_sig.coap.second, bad_sig.http.second);
    // Oversized: above --max-request-bytes (CoAP receives it block-wise and answers 4.13).
    std::string big = submit_body("big");
    big.insert(1, "\"pad\":\"" + std::string(kMaxBody, 'x') + "\",");
    auto oversized = post_everywhere(*http_, *grpc_, *coap_, big);
    expect_same_error(oversized, 413, "exceeds the server limit of 20000 bytes");
    EXPECT_EQ(oversized.coap.first, 413);
    EXPECT_EQ(waiting(), before);  // nothing was submitted
}

TEST_F(Backends, LargeBodyTravelsBlockwiseOverCoap) {
    auto spec = Fixture::simple_spec("dev", "cli", "blocks");
    spec.args = json::array{std::string(9000, 'a')};  // about 12 blocks of 1 KiB
    auto p = coap_->submit(spec, DevIdentity::executor_prvkey);
    ASSERT_TRUE(p.ok()) << p.error().message;
    auto got = coap_->get_process(p->processid, DevIdentity::executor_prvkey);  // Block2 reply
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->spec.args, spec.args);
}

// ---- raw CoAP over UDP ----

std::string coap_post_api(uint16_t mid, const std::string& token, const std::string& payload) {
    std::string m;
    m.push_back(static_cast<char>(0x40 | token.size()));  // version 1, CON, token length
    m.push_back(0x02);                                    // POST
    m.push_back(static_cast<char>(mid >> 8));
    m.push_back(static_cast<char>(mid & 0xff));
    m += token;
    m += "\xb3"
         "api";       // Uri-Path (11)
    m += "\x11\x32";  // Content-Format (12): 50, application/json
    m.push_back(static_cast<char>(0xff));
    return m + payload;
}

struct CoapMessage {
    int type = -1, code = -1;
    uint16_t mid = 0;
    std::string token, payload;
};

CoapMessage parse_coap(const std::string& d) {
    CoapMessage m;
    if (d.size() < 4) return m;
    m.type = (d[0] >> 4) & 3;
    const size_t tkl = d[0] & 0x0f;
    m.code = static_cast<unsigned char>(d[1]);
    m.mid = static_cast<uint16_t>((static_cast<unsigned char>(d[2]) << 8) |
                                  static_cast<unsigned char>(d[3]));
    m.token = d.substr(4, tkl);
    // Options (RFC 7252 3.1): delta and length nibbles with 13/14 extensions, then 0xff.
    size_t i = 4 + tkl;
    auto ext = [&](unsigned nibble) -> size_t {
        if (nibble == 13) return 13 + static_cast<unsigned char>(d[i++]);
        if (nibble == 14) {
            size_t v =
                (static_cast<unsigned char>(d[i]) << 8) | static_cast<unsigned char>(d[i + 1]);
            i += 2;
            return 269 + v;
        }
        return nibble;
    };
    while (i < d.size()) {
        const auto b = static_cast<unsigned char>(d[i++]);
        if (b == 0xff) {
            m.payload = d.substr(i);
            break;
        }
        ext(b >> 4);
        i += ext(b & 0x0f);
    }
    return m;
}

class RawCoap {
  public:
    explicit RawCoap(int port) : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        to_.sin_family = AF_INET;
        to_.sin_port = htons(static_cast<uint16_t>(port));
        to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{0, 200000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawCoap() { ::close(fd_); }
    void send(const std::string& m) {
        ::sendto(fd_, m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_);
    }
    // The 2.05 reply for `token` (acknowledging a separate response), within `limit`.
    std::optional<CoapMessage> reply(const std::string& token, std::chrono::seconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        std::array<char, 65536> buf;
        while (std::chrono::steady_clock::now() < end) {
            auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0) continue;
            auto m = parse_coap(std::string(buf.data(), static_cast<size_t>(n)));
            if (m.type == 0) send(ack(m.mid));  // a separate response is confirmable
            if (m.token == token && m.code == 0x45) return m;
        }
        return std::nullopt;
    }

  private:
    static std::string ack(uint16_t mid) {
        return std::string{'\x60', '\x00', static_cast<char>(mid >> 8),
                           static_cast<char>(mid & 0xff)};
    }
    int fd_;
    sockaddr_in to_{};
};

TEST_F(Backends, RetransmittedConfirmableRequestRunsOnce) {
    RawCoap udp(coap_port_);
    const std::string body = submit_body("once");
    ASSERT_LT(body.size(), 1000u);  // one datagram
    const std::string msg = coap_post_api(0x1234, "tok1", body);
    // The first copy and a retransmission at once (its ACK "lost"), while it is in flight.
    udp.send(msg);
    udp.send(msg);
    auto first = udp.reply("tok1", 5s);
    ASSERT_TRUE(first.has_value());
    // A retransmission after the reply: the same reply again, not a second process.
    udp.send(msg);
    auto again = udp.reply("tok1", 5s);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->payload, first->payload);
    // The reply's first block (the rest would follow by Block2).
    EXPECT_EQ(first->payload.rfind("{\"payloadtype\":\"submitfuncspecmsg\"", 0), 0u);
    EXPECT_EQ(waiting(), 1u);
    // A new message id is a new request.
    udp.send(coap_post_api(0x1235, "tok2", submit_body("twice")));
    ASSERT_TRUE(udp.reply("tok2", 5s).has_value());
    EXPECT_EQ(waiting(), 2u);
}

// ---- Debian's coap-client-notls ----

std::string run_coap_client(const std::string& args) {
    std::string out;
    FILE* p = ::popen(("coap-client-notls " + args + " 2>&1").c_str(), "r");
    if (!p) return out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

TEST_F(Backends, CoapClientNotlsSubmitsAssignsAndCloses) {
    const std::string base = "coap://127.0.0.1:" + std::to_string(coap_port_);
    EXPECT_EQ(run_coap_client("-m get " + base + "/health"), "healthy");
    const std::string dir = server_.data_dir();
    auto post = [&](const std::string& name, const std::string& body) {
        std::ofstream(dir + "/" + name) << body;
        // -b 64: 64-byte blocks, so the body goes block-wise.
        return run_coap_client("-m post -t 50 -b 64 -B 30 -f " + dir + "/" + name + " " + base +
                               "/api");
    };
    auto submitted = rpc::decode_reply(200, post("submit.json", submit_body("cli")));
    ASSERT_TRUE(submitted.ok()) << submitted.error().message;
    const std::string id(submitted->as_object().at("processid").as_string());
    auto assigned = rpc::decode_reply(
        200,
        post("assign.json", envelope("assignprocessmsg", {{"colonyname", "dev"}, {"timeout", 5}},
                                     DevIdentity::executor_prvkey)));
    ASSERT_TRUE(assigned.ok()) << assigned.error().message;
    EXPECT_EQ(assigned->as_object().at("processid").as_string(), id);
    auto closed = rpc::decode_reply(
        200, post("close.json",
                  envelope("closesuccessfulmsg", {{"processid", id}, {"out", json::array{"ok"}}},
                           DevIdentity::executor_prvkey)));
    ASSERT_TRUE(closed.ok()) << closed.error().message;
    auto seen = http_->get_process(id, DevIdentity::executor_prvkey);
    ASSERT_TRUE(seen.ok());
    EXPECT_EQ(seen->state, ProcessState::Success);
}

// With COLONIES_TLS=true the same certificate serves HTTPS, gRPC over TLS and CoAP over DTLS.
TEST(BackendsTls, GrpcTlsAndCoapDtlsUseTheHttpCertificate) {
    char tmpl[] = "/tmp/colonies-dtls-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
    ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                           "-keyout " +
                           key + " -out " + cert + " >/dev/null 2>&1")
                              .c_str()),
              0);
    ServerConfig cfg;
    cfg.tls = true;
    const int grpc_port = pick_free_port(), coap_port = pick_free_udp_port();
    cfg.extra_env = {{"COLONIES_TLS", "true"},
                     {"COLONIES_SERVER_BACKENDS", "http,grpc,coap"},
                     {"COLONIES_SERVER_GRPC_PORT", std::to_string(grpc_port)},
                     {"COLONIES_SERVER_COAP_PORT", std::to_string(coap_port)}};
    cfg.extra_args = {"--tlscert", cert, "--tlskey", key};
    ServerProcess server(cfg);
    for (auto [backend, port] : {std::pair{"grpc", grpc_port}, std::pair{"coap", coap_port}}) {
        auto o = server.client_options();
        o.backend = backend;
        o.backend_port = port;
        client::Client secure(o);
        auto v = secure.version();
        EXPECT_TRUE(v.ok()) << backend << ": " << v.error().message;
        o.tls = false;  // plain text to a TLS port gets no reply
        o.connect_timeout = 2s;
        client::Client plain(o);
        EXPECT_FALSE(plain.health()) << backend;
    }
    std::filesystem::remove_all(dir);
}

TEST(BackendsConfig, UnknownBackendIsRefusedAtStart) {
    ServerConfig cfg;
    cfg.extra_env = {{"COLONIES_SERVER_BACKENDS", "http,libp2p"}};
    cfg.startup_timeout = 3s;
    EXPECT_THROW(ServerProcess server(cfg), std::runtime_error);
}

}  // namespace
}  // namespace colonies::it
