// POST /api over CoAP (client/rpc_transport.hpp) on libcoap: a confirmable POST to /api with the
// envelope as an application/json payload, sent block-wise when it does not fit one datagram;
// libcoap retransmits, follows a separate response and fetches a block-wise reply. The call
// runs libcoap's loop on the calling thread until the reply, a give-up or the timeout.
#include <coap3/coap.h>
#include <netdb.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "client/rpc_transport.hpp"

namespace colonies::client {

namespace {

// What the response handler found for the request in flight.
struct Exchange {
    std::string token;
    bool done = false;
    int code = 0;
    std::string body;
    std::optional<std::string> failure;  // libcoap gave up: why
};

int code_number(coap_pdu_code_t code) {
    return static_cast<int>(code >> 5) * 100 + static_cast<int>(code & 0x1f);
}

coap_response_t on_response(coap_session_t* session, const coap_pdu_t*, const coap_pdu_t* received,
                            const coap_mid_t) {
    auto* x = static_cast<Exchange*>(coap_session_get_app_data(session));
    coap_bin_const_t token = coap_pdu_get_token(received);
    if (!x || x->done ||
        std::string(reinterpret_cast<const char*>(token.s), token.length) != x->token)
        return COAP_RESPONSE_OK;
    size_t length = 0, offset = 0, total = 0;
    const uint8_t* data = nullptr;
    x->code = code_number(coap_pdu_get_code(received));
    if (coap_get_data_large(received, &length, &data, &offset, &total))
        x->body.assign(reinterpret_cast<const char*>(data), length);
    x->done = true;
    return COAP_RESPONSE_OK;
}

void on_nack(coap_session_t* session, const coap_pdu_t*, const coap_nack_reason_t reason,
             const coap_mid_t) {
    auto* x = static_cast<Exchange*>(coap_session_get_app_data(session));
    if (!x || x->done) return;
    switch (reason) {
        case COAP_NACK_TOO_MANY_RETRIES:
            x->failure = "no acknowledgement after retransmissions";
            break;
        case COAP_NACK_ICMP_ISSUE:
            x->failure = "port unreachable";
            break;
        case COAP_NACK_RST:
            x->failure = "reset by the server";
            break;
        case COAP_NACK_TLS_FAILED:
            x->failure = "DTLS handshake failed";
            break;
        default:
            x->failure = "request not delivered";
    }
    x->done = true;
}

class CoapTransport final : public RpcTransport {
  public:
    explicit CoapTransport(const Options& o)
        : opts_(o), target_(o.host + ":" + std::to_string(o.backend_port)) {
        coap_startup();
        coap_set_log_level(std::getenv("COLONIES_COAP_DEBUG") ? LOG_DEBUG : LOG_ERR);
    }
    ~CoapTransport() override { close(); }

    Result<std::pair<int, std::string>> post(const std::string& body,
                                             std::chrono::seconds timeout) override {
        return exchange(COAP_REQUEST_CODE_POST, "api", body, timeout);
    }

    bool health() override {
        auto r = exchange(COAP_REQUEST_CODE_GET, "health", "", opts_.connect_timeout);
        return r && r->first == 205;
    }

  private:
    void close() {
        if (ctx_) coap_free_context(ctx_);  // and its session
        ctx_ = nullptr;
        session_ = nullptr;
    }

    std::optional<Error> open() {
        if (session_) return std::nullopt;
        addrinfo hints{};
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        const std::string port = std::to_string(opts_.backend_port);
        if (::getaddrinfo(opts_.host.c_str(), port.c_str(), &hints, &found) != 0 || !found)
            return Error(ErrorKind::Unreachable,
                         "cannot reach server at " + target_ + " (CoAP): cannot resolve host");
        coap_address_t dst;
        coap_address_init(&dst);
        std::memcpy(&dst.addr, found->ai_addr, found->ai_addrlen);
        dst.size = found->ai_addrlen;
        ::freeaddrinfo(found);
        ctx_ = coap_new_context(nullptr);
        coap_context_set_block_mode(ctx_, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
        coap_register_response_handler(ctx_, &on_response);
        coap_register_nack_handler(ctx_, &on_nack);
        if (opts_.tls) {
            coap_dtls_pki_t pki;
            std::memset(&pki, 0, sizeof pki);
            pki.version = COAP_DTLS_PKI_SETUP_VERSION;
            pki.verify_peer_cert = opts_.skip_tls_verify ? 0 : 1;
            pki.pki_key.key_type = COAP_PKI_KEY_PEM;
            if (!opts_.skip_tls_verify)
                coap_context_set_pki_root_cas(ctx_, nullptr, "/etc/ssl/certs");
            session_ = coap_new_client_session_pki(ctx_, nullptr, &dst, COAP_PROTO_DTLS, &pki);
        } else {
            session_ = coap_new_client_session(ctx_, nullptr, &dst, COAP_PROTO_UDP);
        }
        if (!session_) {
            close();
            return Error(ErrorKind::Unreachable,
                         "cannot reach server at " + target_ + " (CoAP): cannot open a session");
        }
        return std::nullopt;
    }

    coap_pdu_t* request(coap_pdu_code_t method, const char* path, const std::string& body,
                        Exchange& x) {
        coap_pdu_t* pdu = coap_pdu_init(COAP_MESSAGE_CON, method, coap_new_message_id(session_),
                                        coap_session_max_pdu_size(session_));
        if (!pdu) return nullptr;
        uint8_t token[8];
        size_t token_length = 0;
        coap_session_new_token(session_, &token_length, token);
        coap_add_token(pdu, token_length, token);
        x.token.assign(reinterpret_cast<const char*>(token), token_length);
        // libcoap 4.3.1 follows a Block2 reply only if it tracks the request, which it does for
        // a confirmable request only when it carries Block1 or Observe; a separate response
        // (every /api reply) comes after the request left the retransmission queue, so a large
        // reply to a small request would be dropped. An Observe option makes it track every
        // request; servers ignore Observe on POST (RFC 7641 defines it for GET and FETCH).
        if (method == COAP_REQUEST_CODE_POST) coap_add_option(pdu, COAP_OPTION_OBSERVE, 0, nullptr);
        coap_add_option(pdu, COAP_OPTION_URI_PATH, std::strlen(path),
                        reinterpret_cast<const uint8_t*>(path));
        if (method == COAP_REQUEST_CODE_POST) {
            uint8_t buf[4];
            coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                            coap_encode_var_safe(buf, sizeof buf, COAP_MEDIATYPE_APPLICATION_JSON),
                            buf);
            coap_add_data_large_request(session_, pdu, body.size(),
                                        reinterpret_cast<const uint8_t*>(body.data()), nullptr,
                                        nullptr);
        }
        return pdu;
    }

    Result<std::pair<int, std::string>> exchange(coap_pdu_code_t method, const char* path,
                                                 const std::string& body,
                                                 std::chrono::seconds timeout) {
        if (auto failure = open()) return *failure;
        Exchange x;
        coap_pdu_t* pdu = request(method, path, body, x);  // `body` outlives the exchange
        if (!pdu) return internal_error("CoAP: cannot build the request");
        coap_session_set_app_data(session_, &x);
        const auto until = std::chrono::steady_clock::now() + timeout;
        bool sent = coap_send(session_, pdu) != COAP_INVALID_MID;
        while (sent && !x.done && std::chrono::steady_clock::now() < until)
            coap_io_process(ctx_, 100);
        coap_session_set_app_data(session_, nullptr);
        if (!x.done || x.failure) {
            // A fresh session next time: nothing of this exchange may answer the next one.
            close();
            if (!sent || x.failure)
                return Error(ErrorKind::Unreachable,
                             "cannot reach server at " + target_ +
                                 " (CoAP): " + x.failure.value_or("cannot send"));
            return Error(ErrorKind::Timeout, "server at " + target_ + " (CoAP): no reply within " +
                                                 std::to_string(timeout.count()) + " s");
        }
        return std::pair<int, std::string>{x.code, std::move(x.body)};
    }

    Options opts_;
    std::string target_;
    coap_context_t* ctx_ = nullptr;
    coap_session_t* session_ = nullptr;
};

}  // namespace

std::unique_ptr<RpcTransport> make_coap_transport(const Options& o) {
    return std::make_unique<CoapTransport>(o);
}

}  // namespace colonies::client
