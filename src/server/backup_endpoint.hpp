// POST /backup (ours, issue 19; docs/compat.md "Online backup"): the server owner's signed
// `backupmsg` envelope in, a consistent copy of the SQLite store out, streamed as
// application/vnd.sqlite3 with its Content-Length. Errors are RPC error envelopes with their
// status, as on /api. The copy is made by Store::backup (a few MiB per step between store
// batches), opened, unlinked at once (nothing is left behind however the transfer ends) and sent
// from the open file; the connection closes after it.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "rpc/envelope.hpp"
#include "server/store_call.hpp"
#include "store/store.hpp"

namespace colonies::server {

inline constexpr std::string_view kBackupPath = "/backup";
// How far the request's `time` may be from the server's clock: a recorded request cannot be
// replayed much later to fetch a newer copy.
inline constexpr int64_t kBackupClockSkewSeconds = 300;

using BackupLog = std::function<void(const std::string&)>;

// Checks the envelope (payload type `backupmsg`, signature, msgtype, `time`) and that the signer
// owns the server.
boost::asio::awaitable<Status> authorise_backup(std::string_view body, StoreCall& calls);

// The copy (Store::backup awaited), opened and already unlinked: its file, or what to reply.
boost::asio::awaitable<Result<boost::beast::file>> make_backup(store::Store& store,
                                                               const BackupLog& log);

// The whole exchange on `stream`; the caller closes the connection afterwards.
template <class Stream>
boost::asio::awaitable<void> serve_backup(Stream& stream, std::string_view body, unsigned version,
                                          StoreCall& calls, store::Store& store,
                                          const BackupLog& log) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    auto& tcp = beast::get_lowest_layer(stream);
    Result<beast::file> copy = internal_error("unreachable");
    Status allowed = co_await authorise_backup(body, calls);
    if (allowed) {
        copy = co_await make_backup(store, log);
    } else {
        copy = allowed.error();
    }
    boost::system::error_code ec;
    if (!copy) {
        const rpc::Reply reply = rpc::error_reply(copy.error());
        http::response<http::string_body> res{static_cast<http::status>(reply.http_status), version,
                                              reply.body};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.keep_alive(false);
        res.prepare_payload();
        tcp.expires_after(std::chrono::seconds(60));
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        co_return;
    }
    http::response<http::basic_file_body<beast::file>> res{http::status::ok, version};
    res.set(http::field::content_type, "application/vnd.sqlite3");
    res.set(http::field::content_disposition, "attachment; filename=\"colonies.db\"");
    res.keep_alive(false);
    res.body().reset(std::move(*copy), ec);
    res.prepare_payload();
    // A slow reader may take its time, but not for ever: a minute plus a second per MiB.
    const auto bytes = res.body().size();
    tcp.expires_after(std::chrono::seconds(60 + static_cast<int64_t>(bytes >> 20)));
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    log("colonies server: backup of " + std::to_string(bytes) + " bytes " +
        (ec ? "not delivered: " + ec.message() : std::string("sent")));
}

}  // namespace colonies::server
