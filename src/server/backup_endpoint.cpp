#include "server/backup_endpoint.hpp"
#include "core/json_text.hpp"

#include <unistd.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <memory>

#include "core/time.hpp"
#include "crypto/crypto.hpp"
#include "services/auth.hpp"
#include "store/backup.hpp"

namespace colonies::server {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr std::string_view kPrefix = "Failed to back up the server";

// The envelope's checks, as the RPC pipeline does them (protocol.md 1.4): the signer's id.
Result<std::string> signer_of(std::string_view body) {
    auto req = rpc::parse_request(body);
    if (!req) return req.error();
    if (req->payloadtype != "backupmsg")
        return forbidden("invalid rpcMsg.PayloadType: " + req->payloadtype);
    auto caller = crypto::recover_id(req->payload, req->signature);
    if (!caller) return caller.error();
    const auto invalid = bad_request(std::string(kPrefix) + ", invalid JSON");
    auto text = rpc::base64_decode(req->payload);
    if (!text) return invalid;
    boost::system::error_code ec;
    auto v = read_json_text(*text, ec);
    if (ec || !v.is_object()) return invalid;
    const auto& msg = v.get_object();
    const auto* mt = msg.if_contains("msgtype");
    if (!mt || !mt->is_string() || mt->get_string() != "backupmsg")
        return forbidden(std::string(kPrefix) + ", msg.msgtype does not match rpcMsg.PayloadType");
    const auto* when = msg.if_contains("time");
    auto t = when && when->is_string() ? parse_rfc3339(when->get_string()) : std::nullopt;
    if (!t) return bad_request(std::string(kPrefix) + ", time must be an RFC 3339 time");
    const int64_t skew = Time::now().ns - t->ns;
    if (skew > kBackupClockSkewSeconds * 1000000000LL ||
        -skew > kBackupClockSkewSeconds * 1000000000LL)
        return forbidden(std::string(kPrefix) +
                         ", the request's time is more than 5 minutes from the server's clock");
    return std::move(*caller);
}

}  // namespace

asio::awaitable<Status> authorise_backup(std::string_view body, StoreCall& calls) {
    auto caller = signer_of(body);
    if (!caller) co_return caller.error();
    std::optional<Status> allowed;
    auto job = [&allowed, &caller](store::StoreTx& tx) {
        allowed = services::require_server_owner(tx, *caller);
        return false;  // reads only
    };
    if (auto failed = co_await calls.run(std::move(job))) co_return std::move(*failed);
    co_return std::move(*allowed);
}

asio::awaitable<Result<beast::file>> make_backup(store::Store& store, const BackupLog& log) {
    auto* online = dynamic_cast<store::OnlineBackup*>(&store);
    if (!online)
        co_return bad_request(std::string(kPrefix) +
                              ": online backup works on the SQLite store only; back up "
                              "PostgreSQL with pg_dump (docs/operations.md)");
    auto initiate = [online](auto handler) {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        online->backup([h](const std::string& error, const std::string& path) {
            auto ex = asio::get_associated_executor(*h);
            asio::post(ex, [h, error, path] { (*h)(error, path); });
        });
    };
    // Named initiation object: g++ 12 mishandles non-trivial temporaries inside co_await.
    auto [error, path] = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                       void(std::string, std::string)>(
        std::move(initiate), asio::use_awaitable);
    if (!error.empty()) {
        log("colonies server: backup failed: " + error);
        co_return internal_error(std::string(kPrefix) +
                                 ": the copy failed (details in the server log)");
    }
    beast::file f;
    beast::error_code ec;
    f.open(path.c_str(), beast::file_mode::read, ec);
    ::unlink(path.c_str());  // the open file stays readable; nothing is left behind
    if (ec) {
        log("colonies server: cannot open the backup " + path + ": " + ec.message());
        co_return internal_error(std::string(kPrefix) + ": cannot read the copy");
    }
    log("colonies server: backup made");
    co_return std::move(f);
}

}  // namespace colonies::server
