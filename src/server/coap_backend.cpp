// The CoAP backend (server/backends.hpp, RFC 7252 over UDP, or DTLS when TLS is on) on libcoap.
//
// libcoap is single-threaded: every libcoap call happens on one strand of the server's
// io_context, woken when libcoap's epoll descriptor (sockets and its own timers) is readable.
// POST /api answers with a separate response: the request is acknowledged at once (an empty
// ACK), parked in libcoap as an "async" while Dispatcher::handle runs elsewhere (a long poll
// included: no thread waits), and triggered when the reply is ready. A body larger than one
// datagram arrives block-wise (RFC 7959, Block1) and is put together here, up to
// max_body_bytes and the server's body budget; a large reply leaves block-wise (Block2).
// libcoap 4.3 does not recognise a retransmitted confirmable request once it has been answered,
// so replies are remembered per (peer, message id) for RFC 7252's EXCHANGE_LIFETIME and a
// duplicate gets the same reply again without being executed.
#include <coap3/coap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <unordered_map>

#include "server/backends.hpp"

namespace colonies::server {
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

// A response code as written in RFC 7252 (e.g. 413 for 4.13).
constexpr coap_pdu_code_t coap_code(int n) {
    return static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(n));
}

// RFC 7252 4.8.2: how long a message id may be reused by its sender for another request.
constexpr auto kExchangeLifetime = std::chrono::seconds(247);
constexpr size_t kMaxRemembered = 10000;
constexpr size_t kMaxRememberedBytes = 32u << 20;

// What one finished exchange answered, to replay for a duplicate.
struct Answer {
    coap_pdu_code_t code = COAP_RESPONSE_CODE_CONTENT;
    std::string payload;
    bool size1 = false;  // 4.13 carries Size1: the largest body accepted
};

// Replies per (peer, message id), oldest first out.
class Remembered {
  public:
    const Answer* find(const std::string& key) {
        expire();
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }
    void add(std::string key, Answer a) {
        expire();
        bytes_ += a.payload.size();
        order_.push_back({Clock::now(), key});
        map_[std::move(key)] = std::move(a);
        while (map_.size() > kMaxRemembered || bytes_ > kMaxRememberedBytes) drop_oldest();
    }

  private:
    void expire() {
        const auto cutoff = Clock::now() - kExchangeLifetime;
        while (!order_.empty() && order_.front().first < cutoff) drop_oldest();
    }
    void drop_oldest() {
        auto it = map_.find(order_.front().second);
        if (it != map_.end()) {
            bytes_ -= it->second.payload.size();
            map_.erase(it);
        }
        order_.pop_front();
    }
    std::unordered_map<std::string, Answer> map_;
    std::deque<std::pair<Clock::time_point, std::string>> order_;
    size_t bytes_ = 0;
};

// A block-wise body being received; its bytes are held against the server's body budget.
struct Assembly {
    explicit Assembly(BodyBudget& b) : held(b) {}
    BodyReservation held;
    std::string body;
    Clock::time_point last = Clock::now();
};

// A request handed to the dispatcher, until its separate response has gone.
struct Pending {
    std::string key;  // (peer, message id) of the request that completed the body
    std::string body;
    std::unique_ptr<Assembly> assembly;  // keeps the body's budget until the reply
    std::optional<Answer> answer;
};

std::string peer_of(coap_session_t* session) {
    char buf[INET6_ADDRSTRLEN + 16];
    size_t n = coap_print_addr(coap_session_get_addr_remote(session),
                               reinterpret_cast<unsigned char*>(buf), sizeof buf);
    return std::string(buf, n);
}

std::string request_tag(const coap_pdu_t* request) {
    coap_opt_iterator_t it;
    coap_opt_t* opt = coap_check_option(request, COAP_OPTION_RTAG, &it);
    if (!opt) return {};
    return std::string(reinterpret_cast<const char*>(coap_opt_value(opt)), coap_opt_length(opt));
}

coap_address_t listen_address(const std::string& host, int port) {
    auto ip = asio::ip::make_address(host);
    asio::ip::udp::endpoint ep(ip, static_cast<unsigned short>(port));
    coap_address_t addr;
    coap_address_init(&addr);
    std::memcpy(&addr.addr, ep.data(), ep.size());
    addr.size = static_cast<socklen_t>(ep.size());
    return addr;
}

void release_payload(coap_session_t*, void* p) {
    delete static_cast<std::string*>(p);
}

Answer envelope_answer(const rpc::Reply& r) {
    return Answer{COAP_RESPONSE_CODE_CONTENT, r.body, false};
}

class CoapBackend final : public Backend {
  public:
    explicit CoapBackend(const BackendHost& host)
        : host_(host), strand_(asio::make_strand(host.ioc)), wake_(host.ioc) {
        coap_startup();
        coap_set_log_level(LOG_ERR);
        ctx_ = coap_new_context(nullptr);
        if (!ctx_) throw std::runtime_error("CoAP backend: cannot create a libcoap context");
        coap_context_set_block_mode(ctx_, COAP_BLOCK_USE_LIBCOAP);
        try {
            open_endpoint();
            add_resources();
            const int fd = coap_context_get_coap_fd(ctx_);
            if (fd < 0) throw std::runtime_error("CoAP backend: libcoap was built without epoll");
            wake_.assign(::dup(fd));
        } catch (...) {
            coap_free_context(ctx_);
            throw;
        }
        asio::post(strand_, [this] { pump(); });
    }
    ~CoapBackend() override { stop(); }

    void stop() override {
        if (!ctx_) return;
        boost::system::error_code ignored;
        wake_.close(ignored);
        coap_free_context(ctx_);  // its endpoints, sessions and parked requests
        ctx_ = nullptr;
        pending_.clear();
    }

  private:
    void open_endpoint() {
        const auto& o = host_.opts;
        coap_proto_t proto = COAP_PROTO_UDP;
        if (o.tls) {
            if (!coap_dtls_is_supported())
                throw std::runtime_error("CoAP backend: this libcoap has no DTLS");
            coap_dtls_pki_t pki;
            std::memset(&pki, 0, sizeof pki);
            pki.version = COAP_DTLS_PKI_SETUP_VERSION;
            pki.pki_key.key_type = COAP_PKI_KEY_PEM;
            pki.pki_key.key.pem.public_cert = o.tls_cert.c_str();
            pki.pki_key.key.pem.private_key = o.tls_key.c_str();
            if (!coap_context_set_pki(ctx_, &pki))
                throw std::runtime_error("CoAP backend: cannot load the TLS certificate or key");
            proto = COAP_PROTO_DTLS;
        }
        coap_address_t addr = listen_address(o.bind_address, o.coap_port);
        if (!coap_new_endpoint(ctx_, &addr, proto))
            throw std::runtime_error("CoAP backend: cannot listen on UDP port " +
                                     std::to_string(o.coap_port));
    }

    void add_resources() {
        coap_resource_t* api = coap_resource_init(coap_make_str_const("api"), 0);
        coap_register_handler(api, COAP_REQUEST_POST, &CoapBackend::on_api);
        coap_resource_set_userdata(api, this);
        coap_add_resource(ctx_, api);
        coap_resource_t* health = coap_resource_init(coap_make_str_const("health"), 0);
        coap_register_handler(health, COAP_REQUEST_GET, &CoapBackend::on_health);
        coap_add_resource(ctx_, health);
    }

    // Lets libcoap read, time out and send whatever is due, then waits for its next event.
    void pump() {
        if (!ctx_) return;
        coap_io_process(ctx_, COAP_IO_NO_WAIT);
        wake_.async_wait(asio::posix::descriptor_base::wait_read,
                         asio::bind_executor(strand_, [this](boost::system::error_code ec) {
                             if (!ec) pump();
                         }));
    }

    static void on_health(coap_resource_t*, coap_session_t*, const coap_pdu_t*,
                          const coap_string_t*, coap_pdu_t* response) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
        static const char kHealthy[] = "healthy";
        coap_add_data(response, sizeof kHealthy - 1, reinterpret_cast<const uint8_t*>(kHealthy));
    }

    static void on_api(coap_resource_t* resource, coap_session_t* session,
                       const coap_pdu_t* request, const coap_string_t* query,
                       coap_pdu_t* response) {
        static_cast<CoapBackend*>(coap_resource_get_userdata(resource))
            ->api(resource, session, request, query, response);
    }

    void send(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request,
              const coap_string_t* query, coap_pdu_t* response, const Answer& a) {
        coap_pdu_set_code(response, a.code);
        if (a.size1) {
            uint8_t buf[8];
            const auto max = static_cast<uint64_t>(host_.opts.max_body_bytes);
            coap_add_option(response, COAP_OPTION_SIZE1,
                            coap_encode_var_safe8(buf, sizeof buf, max), buf);
        }
        auto* copy = new std::string(a.payload);
        coap_add_data_large_response(
            resource, session, request, response, query, COAP_MEDIATYPE_APPLICATION_JSON, -1, 0,
            copy->size(), reinterpret_cast<const uint8_t*>(copy->data()), &release_payload, copy);
    }

    // Answers at once, and remembers it for duplicates of the same message.
    void answer_now(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request,
                    const coap_string_t* query, coap_pdu_t* response, std::string key, Answer a) {
        send(resource, session, request, query, response, a);
        if (coap_pdu_get_type(request) == COAP_MESSAGE_CON)
            remembered_.add(std::move(key), std::move(a));
    }

    void api(coap_resource_t* resource, coap_session_t* session, const coap_pdu_t* request,
             const coap_string_t* query, coap_pdu_t* response) {
        if (coap_async_t* async = coap_find_async(session, coap_pdu_get_token(request))) {
            answer_parked(async, resource, session, request, query, response);
            return;
        }
        std::string key = peer_of(session) + "#" + std::to_string(coap_pdu_get_mid(request));
        if (const Answer* again = remembered_.find(key)) {
            send(resource, session, request, query, response, *again);  // a retransmission
            return;
        }
        auto body = receive_body(session, request, response);
        if (!body) {
            if (auto refusal = std::move(refusal_)) {
                refusal_.reset();
                answer_now(resource, session, request, query, response, key, std::move(*refusal));
            }
            return;  // 2.31 Continue, or 4.08 already set
        }
        park(session, request, std::move(key), std::move(*body));
    }

    // The whole body once it is there; nullopt while blocks are still to come (the response then
    // says 2.31 Continue) or when it was refused (refusal_ says how).
    std::optional<std::unique_ptr<Assembly>> receive_body(coap_session_t* session,
                                                          const coap_pdu_t* request,
                                                          coap_pdu_t* response);

    void park(coap_session_t* session, const coap_pdu_t* request, std::string key,
              std::unique_ptr<Assembly> body) {
        coap_async_t* async = coap_register_async(session, request, 0);
        if (!async) return;  // same token already parked: libcoap acknowledges it
        auto p = std::make_shared<Pending>();
        p->key = std::move(key);
        p->body = std::move(body->body);
        p->assembly = std::move(body);
        coap_async_set_app_data(async, p.get());
        pending_[p.get()] = p;
        auto work = dispatch(p, async);
        asio::co_spawn(asio::make_strand(host_.ioc), std::move(work), asio::detached);
    }

    asio::awaitable<void> dispatch(std::shared_ptr<Pending> p, coap_async_t* async) {
        const WatchHangup no_watch;  // UDP: a client that left cannot be told from a quiet one
        auto reply = co_await host_.dispatcher.handle(p->body, no_watch);
        asio::post(strand_, [this, p, async, reply = std::move(reply)] {
            if (!ctx_ || !pending_.count(p.get())) return;
            p->answer = envelope_answer(reply);
            coap_async_trigger(async);
            coap_io_process(ctx_, COAP_IO_NO_WAIT);  // send it now, not at libcoap's next wake
        });
    }

    // libcoap hands a parked request back when it is triggered (or when the client repeats it).
    void answer_parked(coap_async_t* async, coap_resource_t* resource, coap_session_t* session,
                       const coap_pdu_t* request, const coap_string_t* query,
                       coap_pdu_t* response) {
        auto* p = static_cast<Pending*>(coap_async_get_app_data(async));
        auto it = pending_.find(p);
        if (it == pending_.end() || !p->answer) return;  // not ready: an empty ACK
        send(resource, session, request, query, response, *p->answer);
        remembered_.add(std::move(p->key), std::move(*p->answer));
        pending_.erase(it);
    }

    BackendHost host_;
    asio::strand<asio::io_context::executor_type> strand_;
    asio::posix::stream_descriptor wake_;
    coap_context_t* ctx_ = nullptr;
    Remembered remembered_;
    std::unordered_map<std::string, std::unique_ptr<Assembly>> assemblies_;
    std::unordered_map<Pending*, std::shared_ptr<Pending>> pending_;
    std::optional<Answer> refusal_;
};

std::optional<std::unique_ptr<Assembly>> CoapBackend::receive_body(coap_session_t* session,
                                                                   const coap_pdu_t* request,
                                                                   coap_pdu_t* response) {
    size_t length = 0, offset = 0, total = 0;
    const uint8_t* data = nullptr;
    coap_get_data_large(request, &length, &data, &offset, &total);
    const size_t max = host_.opts.max_body_bytes;
    coap_block_b_t block{};
    const bool blockwise = coap_get_block_b(session, request, COAP_OPTION_BLOCK1, &block) != 0;
    if (!blockwise) {
        if (length > max) {
            refusal_ = Answer{coap_code(413), body_too_large_reply(max).body, true};
            return std::nullopt;
        }
        auto whole = std::make_unique<Assembly>(host_.body_budget);
        if (!whole->held.add(length)) {
            refusal_ = Answer{coap_code(503), body_budget_full_reply().body, false};
            return std::nullopt;
        }
        whole->body.assign(reinterpret_cast<const char*>(data), length);
        return whole;
    }
    const std::string tag = peer_of(session) + "|" + request_tag(request);
    // Bodies abandoned half-way (the client left) give their budget back after the body timeout.
    const auto cutoff = Clock::now() - host_.opts.body_timeout;
    std::erase_if(assemblies_, [&](const auto& a) { return a.second->last < cutoff; });

    auto& slot = assemblies_[tag];
    if (!slot || offset == 0) slot = std::make_unique<Assembly>(host_.body_budget);
    Assembly& a = *slot;
    a.last = Clock::now();
    if (offset > a.body.size()) {  // a block is missing
        assemblies_.erase(tag);
        coap_pdu_set_code(response, coap_code(408));
        return std::nullopt;
    }
    if (offset + length > a.body.size()) {  // not a repeated block
        const size_t fresh = offset + length - a.body.size();
        if (offset + length > max) {
            assemblies_.erase(tag);
            refusal_ = Answer{coap_code(413), body_too_large_reply(max).body, true};
            return std::nullopt;
        }
        if (!a.held.add(fresh)) {
            assemblies_.erase(tag);
            refusal_ = Answer{coap_code(503), body_budget_full_reply().body, false};
            return std::nullopt;
        }
        a.body.append(reinterpret_cast<const char*>(data) + (a.body.size() - offset), fresh);
    }
    if (block.m) {
        coap_pdu_set_code(response, coap_code(231));
        return std::nullopt;
    }
    auto whole = std::move(slot);
    assemblies_.erase(tag);
    return whole;
}

}  // namespace

std::unique_ptr<Backend> start_coap_backend(const BackendHost& host) {
    return std::make_unique<CoapBackend>(host);
}

}  // namespace colonies::server
