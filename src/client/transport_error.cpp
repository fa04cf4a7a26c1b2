#include "client/transport_error.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace colonies::client::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::string endpoint(const Options& o) {
    const bool v6 = o.host.find(':') != std::string::npos;
    return (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port);
}

Error unreachable(const Options& o, const std::string& what) {
    return Error(ErrorKind::Unreachable, "cannot reach server at " + endpoint(o) + ": " + what);
}

Error on_connection(ErrorKind kind, const Options& o, const std::string& what) {
    return Error(kind, "server at " + endpoint(o) + ": " + what);
}

bool is_reset(const error_code& ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted;
}

// The peer closed the connection in an orderly way (or TLS saw it go without close_notify).
bool is_closed(const error_code& ec) {
    return ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
           ec == beast::http::error::partial_message || ec == asio::ssl::error::stream_truncated ||
           ec == beast::websocket::error::closed;
}

std::string seconds(std::chrono::seconds t) {
    return std::to_string(t.count()) + " s";
}

}  // namespace

Error resolve_failed(const Options& o, const error_code& ec) {
    return unreachable(o, "cannot resolve " + o.host + ": " + ec.message());
}

Error connect_failed(const Options& o, const error_code& ec) {
    if (ec == asio::error::connection_refused) return unreachable(o, "connection refused");
    if (ec == beast::error::timeout || ec == asio::error::timed_out)
        return unreachable(o, "connect timed out after " + seconds(o.connect_timeout));
    return unreachable(o, "connect: " + ec.message());
}

Error tls_failed(const Options& o, const std::string& why) {
    return on_connection(ErrorKind::Transport, o, "TLS handshake failed: " + why);
}

Error tls_failed(const Options& o, const error_code& ec) {
    // A server speaking plain HTTP answers the client hello with an HTTP error, which OpenSSL
    // reads as a record of a wrong version (or a huge length): name the likely cause.
    if (ec.category() == asio::error::get_ssl_category()) {
        const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
        if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
            reason == SSL_R_RECORD_LENGTH_MISMATCH)
            return tls_failed(o,
                              "the server answered in plain HTTP, not TLS (for a server started "
                              "with --insecure, pass --insecure or set COLONIES_TLS=false)");
    }
    return tls_failed(o, ec == beast::error::timeout
                             ? "timed out after " + seconds(o.connect_timeout)
                             : ec.message());
}

Error send_failed(const Options& o, const error_code& ec) {
    if (ec == beast::error::timeout)
        return on_connection(ErrorKind::Timeout, o, "timed out sending the request");
    if (is_reset(ec) || is_closed(ec))
        return on_connection(ErrorKind::Transport, o, "connection reset while sending");
    return on_connection(ErrorKind::Transport, o, "sending the request: " + ec.message());
}

Error read_failed(const Options& o, const error_code& ec, bool got_some,
                  std::chrono::seconds timeout) {
    if (ec == beast::error::timeout)
        return on_connection(ErrorKind::Timeout, o,
                             "timed out reading the reply after " + seconds(timeout));
    if (is_reset(ec))
        return on_connection(ErrorKind::Transport, o, "connection reset after sending");
    if (is_closed(ec))
        return on_connection(ErrorKind::Transport, o,
                             got_some ? "connection closed in the middle of the reply"
                                      : "connection closed before the reply");
    return on_connection(ErrorKind::Transport, o, "reading the reply: " + ec.message());
}

Error failed(const Options& o, const std::string& what) {
    return on_connection(ErrorKind::Transport, o, what);
}

}  // namespace colonies::client::transport
