// POST /api over gRPC (client/rpc_transport.hpp): ColoniesService.SendMessage with the envelope
// in json_payload; the call's deadline is the reply timeout (a long poll's included).
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "client/rpc_transport.hpp"
#include "rpc/colonies.grpc.pb.h"

namespace colonies::client {

namespace {

std::string target_of(const Options& o) {
    const bool v6 = o.host.find(':') != std::string::npos;
    return (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.backend_port);
}

std::shared_ptr<grpc::ChannelCredentials> credentials(const Options& o) {
    if (!o.tls) return grpc::InsecureChannelCredentials();
    if (!o.skip_tls_verify) return grpc::SslCredentials(grpc::SslCredentialsOptions{});
    grpc::experimental::TlsChannelCredentialsOptions tls;
    tls.set_verify_server_certs(false);
    tls.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    tls.set_check_call_host(false);
    return grpc::experimental::TlsCredentials(tls);
}

class GrpcTransport final : public RpcTransport {
  public:
    explicit GrpcTransport(const Options& o) : opts_(o), target_(target_of(o)) {
        grpc::ChannelArguments args;
        args.SetMaxReceiveMessageSize(-1);
        args.SetMaxSendMessageSize(-1);
        channel_ = grpc::CreateCustomChannel(target_, credentials(o), args);
        stub_ = colonies::ColoniesService::NewStub(channel_);
    }

    Result<std::pair<int, std::string>> post(const std::string& body,
                                             std::chrono::seconds timeout) override {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + timeout);
        colonies::RPCRequest req;
        req.set_json_payload(body);
        colonies::RPCResponse resp;
        grpc::Status st = stub_->SendMessage(&ctx, req, &resp);
        if (!st.ok()) return failure(st, timeout);
        if (!resp.error_message().empty())
            return internal_error("server at " + target_ + " (gRPC): " + resp.error_message());
        return std::pair<int, std::string>{200, std::move(*resp.mutable_json_payload())};
    }

    bool health() override {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + opts_.connect_timeout);
        colonies::HealthRequest req;
        colonies::HealthResponse resp;
        return stub_->CheckHealth(&ctx, req, &resp).ok() && resp.healthy();
    }

  private:
    Error failure(const grpc::Status& st, std::chrono::seconds timeout) const {
        const std::string what = st.error_message();
        switch (st.error_code()) {
            case grpc::StatusCode::UNAVAILABLE:
                return Error(ErrorKind::Unreachable,
                             "cannot reach server at " + target_ + " (gRPC): " + what);
            case grpc::StatusCode::DEADLINE_EXCEEDED:
                return Error(ErrorKind::Timeout, "server at " + target_ +
                                                     " (gRPC): no reply within " +
                                                     std::to_string(timeout.count()) + " s");
            case grpc::StatusCode::RESOURCE_EXHAUSTED:
                return too_large("server at " + target_ + " (gRPC): " + what);
            default:
                return Error(ErrorKind::Transport, "server at " + target_ + " (gRPC): " + what);
        }
    }

    Options opts_;
    std::string target_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<colonies::ColoniesService::Stub> stub_;
};

}  // namespace

std::unique_ptr<RpcTransport> make_grpc_transport(const Options& o) {
    return std::make_unique<GrpcTransport>(o);
}

}  // namespace colonies::client
