// Bad input on the wire: malformed envelopes and payloads, bad signatures, callers without the
// right role, oversized bodies and unknown paths (protocol.md 1.1, 1.4, 1.5, 2.3, 3.2). Every
// case checks the HTTP status, the error envelope (status and message) and that the store is
// unchanged afterwards.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "core/json.hpp"
#include "crypto/crypto.hpp"
#include "harness.hpp"
#include "rpc/envelope.hpp"

namespace colonies::it {
namespace {

namespace json = boost::json;

const char* const kEmptyTypeMessage =
    "invalid rpcMsg.PayloadType: empty (this usually means the client is misconfigured - check "
    "that COLONIES_PRVKEY and other environment variables are set correctly)";
const std::string kNotMemberOfDev = "Access denied, not a member of Colony with name dev";

// The decoded error envelope of a raw reply.
struct ErrorReply {
    int http = 0;
    int status = 0;  // payload "status"
    std::string message;
    bool well_formed = false;  // payloadtype "error", error true, status an int equal to http
    std::string body;
};

ErrorReply decode_error(int http, const std::string& body) {
    ErrorReply r;
    r.http = http;
    r.body = body;
    boost::system::error_code ec;
    auto env = json::parse(body, ec);
    if (ec || !env.is_object()) return r;
    const auto& o = env.as_object();
    auto* pt = o.if_contains("payloadtype");
    auto* err = o.if_contains("error");
    auto* pl = o.if_contains("payload");
    if (!pt || !pt->is_string() || !err || !err->is_bool() || !pl || !pl->is_string()) return r;
    auto text = rpc::base64_decode(std::string(pl->get_string()));
    if (!text) return r;
    auto payload = json::parse(*text, ec);
    if (ec || !payload.is_object()) return r;
    const auto& po = payload.as_object();
    auto* st = po.if_contains("status");
    auto* msg = po.if_contains("message");
    if (msg && msg->is_string()) r.message = std::string(msg->get_string());
    if (st && st->is_int64()) r.status = static_cast<int>(st->get_int64());
    r.well_formed = pt->get_string() == "error" && err->get_bool() && st && st->is_int64() && msg &&
                    msg->is_string() && r.status == http;
    return r;
}

std::string b64(const std::string& s) {
    return rpc::base64_encode(s);
}

std::string sign(const std::string& payload_b64, const std::string& prvkey) {
    auto s = crypto::sign(payload_b64, prvkey);
    if (!s) throw std::runtime_error("sign: " + s.error().message);
    return s.value();
}

// A request envelope whose payload is `payload_json` (any text), signed with `prvkey`.
std::string envelope(const std::string& payloadtype, const std::string& payload_json,
                     const std::string& prvkey) {
    auto p = b64(payload_json);
    return rpc::encode_request(payloadtype, p, sign(p, prvkey));
}

std::string envelope(const std::string& payloadtype, const json::object& payload,
                     const std::string& prvkey) {
    return envelope(payloadtype, json::serialize(payload), prvkey);
}

// Sends `request` (raw HTTP/1.1 bytes) on a fresh connection and reads until the server closes;
// returns the status code (0 when no response came) and the body.
std::pair<int, std::string> raw_exchange(int port, const std::string& request) {
    int fd = connect_loopback(port, std::chrono::seconds(10));
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string resp;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        resp.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    int status = 0;
    if (resp.rfind("HTTP/1.1 ", 0) == 0) status = std::atoi(resp.c_str() + 9);
    auto sep = resp.find("\r\n\r\n");
    return {status, sep == std::string::npos ? std::string() : resp.substr(sep + 4)};
}

// A bodiless request (the SDK only speaks /api and /health).
std::pair<int, std::string> http_exchange(int port, const std::string& method,
                                          const std::string& target) {
    return raw_exchange(port, method + " " + target +
                                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n");
}

// Server with colony dev (K2), approved executor exec1 (K3, type cli) and two processes: one
// WAITING, one RUNNING (assigned to exec1), so that every listing has something to compare.
class BadInput : public ::testing::Test {
  protected:
    explicit BadInput(ServerConfig cfg = {}) : server_(std::move(cfg)) {}

    void SetUp() override {
        client_ = std::make_unique<client::Client>(server_.make_client());
        Fixture::setup_colony(*client_, "dev", DevIdentity::colony_prvkey,
                              DevIdentity::server_prvkey);
        Fixture::add_approved_executor(*client_, "dev", "exec1", "cli",
                                       DevIdentity::executor_prvkey, DevIdentity::colony_prvkey);
        auto running = client_->submit(Fixture::simple_spec("dev", "cli", "first"),
                                       DevIdentity::executor_prvkey);
        ASSERT_TRUE(running.ok()) << running.error().message;
        auto assigned = client_->assign("dev", 5, DevIdentity::executor_prvkey);
        ASSERT_TRUE(assigned.ok()) << assigned.error().message;
        auto waiting = client_->submit(Fixture::simple_spec("dev", "cli", "second"),
                                       DevIdentity::executor_prvkey);
        ASSERT_TRUE(waiting.ok()) << waiting.error().message;
    }

    // Everything a client can list: colonies, and per colony executors (without the heartbeat
    // time, which reads refresh), users and processes in every state.
    std::string snapshot() {
        json::object snap;
        auto colonies = client_->call("getcoloniesmsg", {}, DevIdentity::server_prvkey);
        EXPECT_TRUE(colonies.ok()) << colonies.error().message;
        if (!colonies.ok()) return "";
        snap["colonies"] = *colonies;
        for (const auto& [name, key] : watched_) {
            json::object c;
            auto ex = client_->call("getexecutorsmsg", {{"colonyname", name}}, key);
            EXPECT_TRUE(ex.ok()) << ex.error().message;
            if (ex.ok() && ex->is_array()) {
                for (auto& e : ex->as_array())
                    if (e.is_object()) e.as_object().erase("lastheardfromtime");
            }
            c["executors"] = ex.ok() ? *ex : json::value();
            auto users = client_->call("getusersmsg", {{"colonyname", name}}, key);
            EXPECT_TRUE(users.ok()) << users.error().message;
            c["users"] = users.ok() ? *users : json::value();
            for (int st = 0; st <= 4; ++st) {
                auto ps = client_->call("getprocessesmsg",
                                        {{"colonyname", name}, {"count", 100}, {"state", st}}, key);
                EXPECT_TRUE(ps.ok()) << ps.error().message;
                c["state" + std::to_string(st)] = ps.ok() ? *ps : json::value();
            }
            snap[name] = std::move(c);
        }
        return json::serialize(snap);
    }

    ErrorReply post(const std::string& body) {
        auto c = server_.make_client();  // a fresh connection: some cases close it
        auto r = c.post_raw(body);
        if (!r) {
            ADD_FAILURE() << "transport error: " << r.error().message;
            return {};
        }
        return decode_error(r->first, r->second);
    }

    // Posts `body` and checks the error reply: HTTP status == `status`, a well-formed error
    // envelope, and `message` (exact).
    void expect_error(const std::string& body, int status, const std::string& message,
                      const std::string& what) {
        SCOPED_TRACE(what);
        auto r = post(body);
        EXPECT_EQ(r.http, status) << r.body;
        EXPECT_TRUE(r.well_formed) << r.body;
        EXPECT_EQ(r.status, status);
        EXPECT_EQ(r.message, message);
    }

    // An executor of colony dev with a fresh key, left PENDING.
    Identity add_pending_executor(const std::string& name) {
        auto id = Identity::fresh();
        Executor e;
        e.executorid = id.id;
        e.executortype = "cli";
        e.executorname = name;
        e.colonyname = "dev";
        auto added = client_->add_executor(e, DevIdentity::colony_prvkey);
        EXPECT_TRUE(added.ok()) << added.error().message;
        return id;
    }

    json::object submit_payload(const std::string& colony = "dev") {
        auto spec = to_json(Fixture::simple_spec(colony, "cli", "bad"));
        return {{"msgtype", "submitfuncspecmsg"}, {"spec", spec}};
    }
    static json::object assign_payload() {
        return {{"msgtype", "assignprocessmsg"}, {"colonyname", "dev"}, {"timeout", 1}};
    }

    ServerProcess server_;
    std::unique_ptr<client::Client> client_;
    // (colony, key of a member that may list it)
    std::vector<std::pair<std::string, std::string>> watched_{
        {"dev", DevIdentity::executor_prvkey}};
};

// ---- steps 1-2: the envelope --------------------------------------------------------------

TEST_F(BadInput, BodyNotJsonIs400) {
    auto before = snapshot();
    for (const std::string body :
         {"this is not json", "", "{", "{\"payloadtype\":\"getcoloniesmsg\"", "[1,2]", "42"}) {
        SCOPED_TRACE("body: " + body);
        auto r = post(body);
        EXPECT_EQ(r.http, 400) << r.body;
        EXPECT_TRUE(r.well_formed) << r.body;
        EXPECT_EQ(r.status, 400);
        EXPECT_FALSE(r.message.empty());  // decoder text, free form
    }
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, EnvelopeFieldOfWrongTypeIs400) {
    auto before = snapshot();
    auto p = b64(R"({"msgtype":"getcoloniesmsg"})");
    auto sig = sign(p, DevIdentity::server_prvkey);
    const std::string bodies[] = {
        R"({"payloadtype":5,"payload":")" + p + R"(","signature":")" + sig + "\"}",
        R"({"payloadtype":"getcoloniesmsg","payload":["x"],"signature":")" + sig + "\"}",
        R"({"payloadtype":"getcoloniesmsg","payload":")" + p + R"(","signature":true})",
        R"({"payloadtype":"getcoloniesmsg","payload":{},"signature":")" + sig + "\"}",
    };
    for (const auto& body : bodies) {
        SCOPED_TRACE("body: " + body);
        auto r = post(body);
        EXPECT_EQ(r.http, 400) << r.body;
        EXPECT_TRUE(r.well_formed) << r.body;
        EXPECT_EQ(r.status, 400);
        EXPECT_FALSE(r.message.empty());
    }
    EXPECT_EQ(snapshot(), before);
}

// ---- step 4: the signature ----------------------------------------------------------------

TEST_F(BadInput, MissingSignatureIs403InvalidLength) {
    auto before = snapshot();
    auto p = b64(json::serialize(submit_payload()));
    expect_error(rpc::encode_request("submitfuncspecmsg", p, ""), 403, "Invalid signature length",
                 "empty signature");
    expect_error(R"({"payloadtype":"submitfuncspecmsg","payload":")" + p + "\"}", 403,
                 "Invalid signature length", "no signature key");
    expect_error(R"({"payloadtype":"submitfuncspecmsg","payload":")" + p + R"(","signature":null})",
                 403, "Invalid signature length", "null signature");
    auto sig = sign(p, DevIdentity::executor_prvkey);
    expect_error(rpc::encode_request("submitfuncspecmsg", p, sig.substr(0, 8)), 403,
                 "Invalid signature length", "8 hex characters");
    expect_error(rpc::encode_request("submitfuncspecmsg", p, sig + "00"), 403,
                 "Invalid signature length", "66 bytes");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, SignatureWithBadHexIs403) {
    auto before = snapshot();
    auto p = b64(json::serialize(submit_payload()));
    expect_error(rpc::encode_request("submitfuncspecmsg", p, "zz"), 403,
                 "encoding/hex: invalid byte: U+007A 'z'", "zz");
    auto sig = sign(p, DevIdentity::executor_prvkey);
    auto bad = "g" + sig.substr(1);
    expect_error(rpc::encode_request("submitfuncspecmsg", p, bad), 403,
                 "encoding/hex: invalid byte: U+0067 'g'", "130 chars starting with g");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, SignatureIsCheckedBeforePayloadType) {
    // Step 4 precedes step 5: an unknown type without a signature reports the signature.
    auto p = b64(R"({"msgtype":"nosuchmsg"})");
    expect_error(rpc::encode_request("nosuchmsg", p, ""), 403, "Invalid signature length",
                 "unknown type, no signature");
}

TEST_F(BadInput, SignatureOverAnotherPayloadGivesAnotherCallerAnd403) {
    // A valid signature over a different payload recovers some unrelated id: not a member.
    auto before = snapshot();
    auto p = b64(json::serialize(submit_payload()));
    auto other = sign(b64(R"({"msgtype":"getcoloniesmsg"})"), DevIdentity::executor_prvkey);
    expect_error(rpc::encode_request("submitfuncspecmsg", p, other), 403, kNotMemberOfDev,
                 "signature of another payload");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, UpperCaseSignatureIsAccepted) {
    auto p = b64(json::serialize(json::object{{"msgtype", "getcoloniesmsg"}}));
    auto sig = sign(p, DevIdentity::server_prvkey);
    for (auto& ch : sig) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    auto c = server_.make_client();
    auto r = c.post_raw(rpc::encode_request("getcoloniesmsg", p, sig));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->first, 200) << r->second;
}

// ---- step 5: the payload type -------------------------------------------------------------

TEST_F(BadInput, UnknownPayloadTypeIs403) {
    auto before = snapshot();
    expect_error(
        envelope("nosuchmsg", json::object{{"msgtype", "nosuchmsg"}}, DevIdentity::executor_prvkey),
        403, "invalid rpcMsg.PayloadType: nosuchmsg", "nosuchmsg");
    // Realtime messages are served on /pubsub only (protocol.md 5.16).
    expect_error(envelope("subscribeprocessmsg",
                          json::object{{"msgtype", "subscribeprocessmsg"}, {"colonyname", "dev"}},
                          DevIdentity::executor_prvkey),
                 403, "invalid rpcMsg.PayloadType: subscribeprocessmsg", "subscribeprocessmsg");
    // Payload types are case-sensitive.
    expect_error(envelope("GetColoniesMsg", json::object{{"msgtype", "GetColoniesMsg"}},
                          DevIdentity::server_prvkey),
                 403, "invalid rpcMsg.PayloadType: GetColoniesMsg", "mixed case");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, EmptyPayloadTypeIs403WithHint) {
    auto before = snapshot();
    expect_error(envelope("", json::object{{"msgtype", ""}}, DevIdentity::executor_prvkey), 403,
                 kEmptyTypeMessage, "empty payloadtype");
    auto p = b64(R"({"msgtype":"getcoloniesmsg"})");
    expect_error(
        R"({"payload":")" + p + R"(","signature":")" + sign(p, DevIdentity::server_prvkey) + "\"}",
        403, kEmptyTypeMessage, "payloadtype missing");
    EXPECT_EQ(snapshot(), before);
}

// ---- steps 6-7: the payload ---------------------------------------------------------------

TEST_F(BadInput, PayloadNotBase64NotJsonOrNullIs400InvalidJson) {
    auto before = snapshot();
    const std::string k3 = DevIdentity::executor_prvkey;
    auto raw = [&](const std::string& type, const std::string& payload) {
        return rpc::encode_request(type, payload, sign(payload, k3));
    };
    const std::string submit_invalid = "Failed to submit process, invalid JSON";
    expect_error(raw("submitfuncspecmsg", "!!!not base64!!!"), 400, submit_invalid, "not base64");
    expect_error(raw("submitfuncspecmsg", "eyJtc2d0eXBlIjoi"), 400, submit_invalid,
                 "truncated base64 of a JSON prefix");
    expect_error(envelope("submitfuncspecmsg", std::string("not json"), k3), 400, submit_invalid,
                 "base64 of non-JSON");
    expect_error(envelope("submitfuncspecmsg", std::string("null"), k3), 400, submit_invalid,
                 "JSON null (upstream quirk 1.4 a)");
    expect_error(envelope("submitfuncspecmsg", std::string("[1,2]"), k3), 400, submit_invalid,
                 "JSON array");
    expect_error(envelope("submitfuncspecmsg", std::string(R"("submitfuncspecmsg")"), k3), 400,
                 submit_invalid, "JSON string");
    // Go refuses a number no double holds; Boost.JSON alone would store an infinity.
    std::string huge = json::serialize(submit_payload());
    huge.insert(huge.rfind('}'), R"(,"big":1e400)");
    expect_error(envelope("submitfuncspecmsg", huge, k3), 400, submit_invalid,
                 "a number too large for a double");
    expect_error(envelope("assignprocessmsg", std::string("null"), k3), 400,
                 "Failed to assign process, invalid JSON", "assign with JSON null");
    expect_error(envelope("getprocessesmsg", std::string("not json"), k3), 400,
                 "Failed to get processes, invalid JSON", "getprocesses with non-JSON");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, MsgTypeMismatchIs400) {
    auto before = snapshot();
    const std::string k3 = DevIdentity::executor_prvkey;
    const std::string mismatch = "Failed to submit process, msg.MsgType does not match payloadType";
    auto payload = submit_payload();
    payload["msgtype"] = "getprocessesmsg";
    expect_error(envelope("submitfuncspecmsg", payload, k3), 400, mismatch, "other msgtype");
    payload.erase("msgtype");
    expect_error(envelope("submitfuncspecmsg", payload, k3), 400, mismatch, "no msgtype");
    payload["msgtype"] = "SUBMITFUNCSPECMSG";
    expect_error(envelope("submitfuncspecmsg", payload, k3), 400, mismatch, "upper-case msgtype");
    // The other direction: the payloadtype names an operation the payload does not.
    expect_error(
        envelope("getprocessesmsg",
                 json::object{{"msgtype", "submitfuncspecmsg"}, {"colonyname", "dev"}}, k3),
        400, "Failed to get processes, msg.MsgType does not match payloadType",
        "getprocesses carrying a submit msgtype");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, WrongFieldTypeInPayloadIs400InvalidJson) {
    auto before = snapshot();
    const std::string k3 = DevIdentity::executor_prvkey;
    const std::string submit_invalid = "Failed to submit process, invalid JSON";
    const std::string assign_invalid = "Failed to assign process, invalid JSON";

    auto a = assign_payload();
    a["timeout"] = "10";
    expect_error(envelope("assignprocessmsg", a, k3), 400, assign_invalid, "timeout as string");
    a["timeout"] = 1.5;
    expect_error(envelope("assignprocessmsg", a, k3), 400, assign_invalid, "timeout 1.5");
    a = assign_payload();
    a["colonyname"] = 7;
    expect_error(envelope("assignprocessmsg", a, k3), 400, assign_invalid, "colonyname number");

    auto with_spec = [&](const char* key, json::value v) {
        auto s = submit_payload();
        s["spec"].as_object()[key] = std::move(v);
        return envelope("submitfuncspecmsg", s, k3);
    };
    expect_error(with_spec("priority", 1.5), 400, submit_invalid, "priority 1.5");
    expect_error(with_spec("priority", "1"), 400, submit_invalid, "priority \"1\"");
    expect_error(with_spec("maxexectime", "10"), 400, submit_invalid, "maxexectime string");
    expect_error(with_spec("args", "hello"), 400, submit_invalid, "args string");
    expect_error(with_spec("env", json::array{"a"}), 400, submit_invalid, "env array");
    expect_error(with_spec("conditions", "dev"), 400, submit_invalid, "conditions string");
    auto s = submit_payload();
    s["spec"] = "a spec";
    expect_error(envelope("submitfuncspecmsg", s, k3), 400, submit_invalid, "spec string");

    expect_error(envelope("getprocessesmsg",
                          json::object{{"msgtype", "getprocessesmsg"},
                                       {"colonyname", "dev"},
                                       {"count", "10"},
                                       {"state", 0}},
                          k3),
                 400, "Failed to get processes, invalid JSON", "count as string");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, NullFieldsTakeTheZeroValue) {
    // The counterpart of the cases above (protocol.md 1.2): null is not a wrong type.
    auto s = submit_payload();
    auto& spec = s["spec"].as_object();
    spec["priority"] = nullptr;
    spec["kwargs"] = nullptr;
    spec["env"] = nullptr;
    spec["label"] = nullptr;
    spec["conditions"].as_object()["executornames"] = nullptr;
    spec["fileid"] = nullptr;
    auto c = server_.make_client();
    auto r = c.post_raw(envelope("submitfuncspecmsg", s, DevIdentity::executor_prvkey));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->first, 200) << r->second;
}

// Not bad input: what Go's decoder takes, we take and give back unchanged. Arguments nested
// deeper than Boost.JSON's default limit (32), and numbers whose text Boost.JSON 1.81 reads one
// unit in the last place off (core/json_text.hpp).
TEST_F(BadInput, DeepArgumentsAndLongNumbersComeBackUnchanged) {
    const std::string deep = std::string(200, '[') + "7" + std::string(200, ']');
    const std::string big = "-47" + std::string(69, '0');
    const std::string fraction = "0.12345678901234567890123";
    auto s = submit_payload();
    s["spec"].as_object()["args"] = json::array{"DEEP", "BIG", "FRACTION"};
    std::string text = json::serialize(s);
    for (auto [mark, value] : {std::pair<std::string, std::string>{"\"DEEP\"", deep},
                               {"\"BIG\"", big},
                               {"\"FRACTION\"", fraction}}) {
        text.replace(text.find(mark), mark.size(), value);
    }
    auto c = server_.make_client();
    auto r = c.post_raw(envelope("submitfuncspecmsg", text, DevIdentity::executor_prvkey));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->first, 200) << r->second;
    auto submitted = rpc::decode_reply(r->first, r->second);
    ASSERT_TRUE(submitted.ok());
    const std::string id(submitted->at("processid").as_string());

    auto p = client_->get_process(id, DevIdentity::executor_prvkey);
    ASSERT_TRUE(p.ok()) << p.error().message;
    const auto& args = p->spec.args;
    ASSERT_EQ(args.size(), 3u);
    const json::value* v = &args[0];
    for (int level = 0; level < 200; ++level) {
        ASSERT_TRUE(v->is_array() && v->as_array().size() == 1) << "level " << level;
        v = &v->as_array()[0];
    }
    EXPECT_EQ(*v, json::value(7));
    EXPECT_EQ(args[1], json::value(std::strtod(big.c_str(), nullptr)));
    EXPECT_EQ(args[2], json::value(std::strtod(fraction.c_str(), nullptr)));
}

TEST_F(BadInput, MissingSpecIs400Nil) {
    auto before = snapshot();
    expect_error(envelope("submitfuncspecmsg", json::object{{"msgtype", "submitfuncspecmsg"}},
                          DevIdentity::executor_prvkey),
                 400, "Failed to submit process spec, msg.FunctionSpec is nil", "no spec");
    expect_error(envelope("submitfuncspecmsg",
                          json::object{{"msgtype", "submitfuncspecmsg"}, {"spec", nullptr}},
                          DevIdentity::executor_prvkey),
                 400, "Failed to submit process spec, msg.FunctionSpec is nil", "spec null");
    EXPECT_EQ(snapshot(), before);
}

// ---- step 9: authorization ----------------------------------------------------------------

TEST_F(BadInput, KeyOfAnotherColonyIsNotAMemberOfDev) {
    auto other_owner = Identity::fresh();
    auto other_exec = Identity::fresh();
    Fixture::setup_colony(*client_, "other", other_owner.prvkey, DevIdentity::server_prvkey);
    Fixture::add_approved_executor(*client_, "other", "oexec", "cli", other_exec.prvkey,
                                   other_owner.prvkey);
    watched_.emplace_back("other", other_exec.prvkey);
    auto before = snapshot();

    for (const auto* key : {&other_exec.prvkey, &other_owner.prvkey}) {
        SCOPED_TRACE(key == &other_exec.prvkey ? "approved executor of colony other"
                                               : "owner of colony other");
        expect_error(envelope("submitfuncspecmsg", submit_payload("dev"), *key), 403,
                     kNotMemberOfDev, "submit to dev");
        expect_error(envelope("assignprocessmsg", assign_payload(), *key), 403, kNotMemberOfDev,
                     "assign in dev");
        expect_error(envelope("getprocessesmsg",
                              json::object{{"msgtype", "getprocessesmsg"},
                                           {"colonyname", "dev"},
                                           {"count", 10},
                                           {"state", 0}},
                              *key),
                     403, kNotMemberOfDev, "list dev processes");
    }
    // The owner of dev is not a member of dev either (protocol.md 3.1).
    expect_error(envelope("submitfuncspecmsg", submit_payload("dev"), DevIdentity::colony_prvkey),
                 403, kNotMemberOfDev, "dev owner submits");
    // Colony-owner operations on dev with another colony's owner key.
    expect_error(envelope("approveexecutormsg",
                          json::object{{"msgtype", "approveexecutormsg"},
                                       {"colonyname", "dev"},
                                       {"executorname", "exec1"}},
                          other_owner.prvkey),
                 403, "Access denied, not colony owner", "approve in dev by other owner");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, ServerOwnerMessagesWithAColonyKeyAre403) {
    auto before = snapshot();
    const std::string denied = "Access denied, not server owner";
    for (const auto* key : {&DevIdentity::colony_prvkey, &DevIdentity::executor_prvkey}) {
        SCOPED_TRACE(key == &DevIdentity::colony_prvkey ? "K2" : "K3");
        auto fresh = Identity::fresh();
        expect_error(envelope("addcolonymsg",
                              json::object{{"msgtype", "addcolonymsg"},
                                           {"colony", {{"colonyid", fresh.id}, {"name", "evil"}}}},
                              *key),
                     403, denied, "addcolonymsg");
        expect_error(
            envelope("removecolonymsg",
                     json::object{{"msgtype", "removecolonymsg"}, {"colonyname", "dev"}}, *key),
            403, denied, "removecolonymsg");
        expect_error(envelope("getcoloniesmsg", json::object{{"msgtype", "getcoloniesmsg"}}, *key),
                     403, denied, "getcoloniesmsg");
        expect_error(
            envelope("getstatisticsmsg", json::object{{"msgtype", "getstatisticsmsg"}}, *key), 403,
            denied, "getstatisticsmsg");
    }
    // The owner check runs before the nil check for addcolonymsg (protocol.md 5.2).
    expect_error(envelope("addcolonymsg", json::object{{"msgtype", "addcolonymsg"}},
                          DevIdentity::colony_prvkey),
                 403, denied, "addcolonymsg without colony");
    EXPECT_EQ(snapshot(), before);
}

TEST_F(BadInput, PendingExecutorIsNotAMember) {
    auto pending = add_pending_executor("pending1");
    auto before = snapshot();
    expect_error(envelope("submitfuncspecmsg", submit_payload(), pending.prvkey), 403,
                 kNotMemberOfDev, "pending submits");
    expect_error(envelope("assignprocessmsg", assign_payload(), pending.prvkey), 403,
                 kNotMemberOfDev, "pending assigns");
    expect_error(
        envelope(
            "getprocessesmsg",
            json::object{
                {"msgtype", "getprocessesmsg"}, {"colonyname", "dev"}, {"count", 10}, {"state", 0}},
            pending.prvkey),
        403, kNotMemberOfDev, "pending lists processes");
    EXPECT_EQ(snapshot(), before);
    // M* messages accept an executor in any state (protocol.md 3.3).
    auto ex = client_->get_executors("dev", pending.prvkey);
    EXPECT_TRUE(ex.ok()) << ex.error().message;
}

TEST_F(BadInput, RejectedExecutorIsNotAMember) {
    auto rejected = Identity::fresh();
    Fixture::add_approved_executor(*client_, "dev", "rej1", "cli", rejected.prvkey,
                                   DevIdentity::colony_prvkey);
    ASSERT_TRUE(client_->reject_executor("dev", "rej1", DevIdentity::colony_prvkey).ok());
    auto before = snapshot();
    expect_error(envelope("submitfuncspecmsg", submit_payload(), rejected.prvkey), 403,
                 kNotMemberOfDev, "rejected submits");
    expect_error(envelope("assignprocessmsg", assign_payload(), rejected.prvkey), 403,
                 kNotMemberOfDev, "rejected assigns");
    EXPECT_EQ(snapshot(), before);
}

// ---- transport ----------------------------------------------------------------------------

class BadInputSmallLimit : public BadInput {
  protected:
    BadInputSmallLimit() : BadInput(config()) {}
    static ServerConfig config() {
        ServerConfig cfg;
        cfg.extra_args = {"--max-request-bytes", "4096"};
        return cfg;
    }
};

TEST_F(BadInputSmallLimit, OversizedBodyIs413AndServerKeepsServing) {
    auto before = snapshot();
    auto s = submit_payload();
    s["spec"].as_object()["args"] = json::array{std::string(8192, 'x')};
    auto body = envelope("submitfuncspecmsg", s, DevIdentity::executor_prvkey);
    ASSERT_GT(body.size(), 4096u);
    auto expect_413 = [](int http, const std::string& reply_body) {
        auto r = decode_error(http, reply_body);
        EXPECT_EQ(r.http, 413) << r.body;
        EXPECT_TRUE(r.well_formed) << r.body;
        EXPECT_EQ(r.status, 413);
        EXPECT_NE(r.message.find("4096"), std::string::npos) << r.message;
    };
    {
        SCOPED_TRACE("SDK post_raw, Content-Length body");
        auto r = server_.make_client().post_raw(body);
        EXPECT_TRUE(r.ok()) << "transport error: " << r.error().message;
        if (r.ok()) expect_413(r->first, r->second);
    }
    {
        // The limit is known from the header alone: the reply must not depend on the body.
        SCOPED_TRACE("raw socket, Content-Length announced, body not sent");
        auto [status, reply] = raw_exchange(
            server_.port(), "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n");
        expect_413(status, reply);
    }
    {
        SCOPED_TRACE("raw socket, chunked body");
        std::ostringstream chunk;
        chunk << std::hex << body.size();
        auto [status, reply] = raw_exchange(
            server_.port(),
            "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
                chunk.str() + "\r\n" + body + "\r\n0\r\n\r\n");
        expect_413(status, reply);
    }
    // Still serving, on new connections and for bodies within the limit.
    EXPECT_TRUE(server_.running());
    EXPECT_TRUE(server_.make_client().health());
    EXPECT_EQ(snapshot(), before);
    auto small =
        client_->submit(Fixture::simple_spec("dev", "cli", "small"), DevIdentity::executor_prvkey);
    EXPECT_TRUE(small.ok()) << small.error().message;
}

TEST_F(BadInput, UnknownPathIs404AndHealthIs200) {
    auto before = snapshot();
    auto [s1, b1] = http_exchange(server_.port(), "GET", "/unknown");
    EXPECT_EQ(s1, 404);
    EXPECT_FALSE(b1.empty());
    EXPECT_EQ(b1.find("\"payloadtype\""), std::string::npos) << "404 is plain text: " << b1;
    auto [s2, b2] = http_exchange(server_.port(), "POST", "/unknown");
    EXPECT_EQ(s2, 404);
    auto [s3, b3] = http_exchange(server_.port(), "GET", "/health");
    EXPECT_EQ(s3, 200);
    EXPECT_TRUE(b3.empty()) << b3;
    EXPECT_TRUE(client_->health());
    EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace colonies::it
