// The gRPC backend (server/backends.hpp) on gRPC's callback API: a SendMessage call is a reactor
// that starts Dispatcher::handle on a strand of the server's io_context and finishes when the
// reply is there, so a parked long poll holds no gRPC thread. The client's deadline or
// cancellation reaches the long poll as a hang-up (it leaves without claiming anything).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <boost/asio.hpp>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "rpc/colonies.grpc.pb.h"
#include "server/backends.hpp"

namespace colonies::server {
namespace asio = boost::asio;

namespace {

// Room above max_body_bytes for the protobuf framing, so that a body just over the limit gets
// the same 413 envelope as HTTP; far larger messages are refused by gRPC itself
// (RESOURCE_EXHAUSTED).
constexpr size_t kFramingAllowance = 64 * 1024;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("gRPC backend: cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// One SendMessage call. The reactor is gRPC's (deleted in OnDone, which follows Finish); what
// the dispatch coroutine, OnCancel and stop() share lives in State, owned by each of them.
struct State {
    explicit State(asio::io_context& ioc) : strand(asio::make_strand(ioc)) {}
    asio::strand<asio::io_context::executor_type> strand;
    std::string body;
    // On the strand only: the long poll's hang-up callback, until the call is answered.
    std::function<void()> on_hangup;
    bool cancelled = false;
    bool answered = false;
    // Set by whichever of the reply and stop() finishes the reactor; until then it is alive.
    std::atomic<bool> finished{false};
    grpc::ServerUnaryReactor* reactor = nullptr;
    colonies::RPCResponse* response = nullptr;

    void answer(const std::string& envelope) {
        if (finished.exchange(true)) return;
        response->set_json_payload(envelope);
        reactor->Finish(grpc::Status::OK);
    }
    void abandon() {
        if (finished.exchange(true)) return;
        reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
    }
    // On the strand: tells a parked long poll that its client left.
    void hang_up() {
        if (!on_hangup || answered) return;
        auto fire = std::move(on_hangup);
        on_hangup = {};
        fire();
    }
};

// The calls in flight, so that stop() can finish them (gRPC's shutdown waits for every reactor).
class Registry {
  public:
    void add(const std::shared_ptr<State>& s) {
        std::lock_guard lock(mu_);
        calls_.emplace(s.get(), s);
    }
    void remove(State* s) {
        std::lock_guard lock(mu_);
        calls_.erase(s);
    }
    void abandon_all() {
        std::vector<std::shared_ptr<State>> open;
        {
            std::lock_guard lock(mu_);
            for (auto& [_, s] : calls_) open.push_back(s);
        }
        for (auto& s : open) s->abandon();  // Finish may run OnDone (remove) at once
    }

  private:
    std::mutex mu_;
    std::unordered_map<State*, std::shared_ptr<State>> calls_;
};

class Call final : public grpc::ServerUnaryReactor {
  public:
    Call(std::shared_ptr<State> state, Registry& registry)
        : state_(std::move(state)), registry_(registry) {}
    void OnCancel() override {
        auto state = state_;
        asio::post(state->strand, [state] {
            state->cancelled = true;
            state->hang_up();
        });
    }
    void OnDone() override {
        registry_.remove(state_.get());
        delete this;
    }

  private:
    std::shared_ptr<State> state_;
    Registry& registry_;
};

asio::awaitable<void> dispatch(Dispatcher& dispatcher, std::shared_ptr<State> state) {
    WatchHangup watch = [state](std::function<void()> on_hangup) {
        state->on_hangup = std::move(on_hangup);
        // Cancelled before the poll parked: tell it now, but not from inside this call.
        if (state->cancelled) asio::post(state->strand, [state] { state->hang_up(); });
    };
    auto reply = co_await dispatcher.handle(state->body, watch);
    state->answered = true;
    state->on_hangup = {};
    state->answer(reply.body);
}

class Service final : public colonies::ColoniesService::CallbackService {
  public:
    Service(const BackendHost& host, Registry& registry) : host_(host), registry_(registry) {}

    grpc::ServerUnaryReactor* SendMessage(grpc::CallbackServerContext* context,
                                          const colonies::RPCRequest* request,
                                          colonies::RPCResponse* response) override {
        auto state = std::make_shared<State>(host_.ioc);
        auto* call = new Call(state, registry_);
        state->reactor = call;
        state->response = response;
        registry_.add(state);
        if (request->json_payload().size() > host_.opts.max_body_bytes) {
            state->answer(body_too_large_reply(host_.opts.max_body_bytes).body);
            return call;
        }
        state->body = request->json_payload();
        auto work = dispatch(host_.dispatcher, state);
        asio::co_spawn(state->strand, std::move(work), asio::detached);
        return call;
    }

    grpc::ServerUnaryReactor* CheckHealth(grpc::CallbackServerContext* context,
                                          const colonies::HealthRequest*,
                                          colonies::HealthResponse* response) override {
        response->set_healthy(true);
        response->set_version(host_.opts.service.build_version);
        auto* reactor = context->DefaultReactor();
        reactor->Finish(grpc::Status::OK);
        return reactor;
    }

  private:
    BackendHost host_;
    Registry& registry_;
};

class GrpcBackend final : public Backend {
  public:
    explicit GrpcBackend(const BackendHost& host) : service_(host, registry_) {
        const auto& o = host.opts;
        std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
        if (o.tls) {
            grpc::SslServerCredentialsOptions ssl;
            ssl.pem_key_cert_pairs.push_back({read_file(o.tls_key), read_file(o.tls_cert)});
            creds = grpc::SslServerCredentials(ssl);
        }
        const bool v6 = o.bind_address.find(':') != std::string::npos;
        const std::string address =
            (v6 ? "[" + o.bind_address + "]" : o.bind_address) + ":" + std::to_string(o.grpc_port);
        grpc::ServerBuilder builder;
        int bound = 0;
        builder.AddListeningPort(address, creds, &bound);
        builder.RegisterService(&service_);
        builder.SetMaxReceiveMessageSize(
            static_cast<int>(std::min<size_t>(o.max_body_bytes + kFramingAllowance, INT32_MAX)));
        builder.SetMaxSendMessageSize(-1);
        server_ = builder.BuildAndStart();
        if (!server_ || bound == 0)
            throw std::runtime_error("gRPC backend: cannot listen on " + address);
    }
    ~GrpcBackend() override { stop(); }
    void stop() override {
        if (!server_) return;
        registry_.abandon_all();
        server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        registry_.abandon_all();  // calls that arrived during the shutdown
        server_->Wait();
        server_.reset();
    }

  private:
    Registry registry_;
    Service service_;
    std::unique_ptr<grpc::Server> server_;
};

}  // namespace

std::unique_ptr<Backend> start_grpc_backend(const BackendHost& host) {
    return std::make_unique<GrpcBackend>(host);
}

}  // namespace colonies::server
