#include "client/backup.hpp"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "client/transport_error.hpp"
#include "core/json.hpp"
#include "core/time.hpp"
#include "crypto/crypto.hpp"
#include "rpc/envelope.hpp"

namespace colonies::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Every SQLite database file starts with these 16 bytes.
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

// The output file: written as <path>.part and renamed over `path` only when whole and synced.
class PartFile {
  public:
    explicit PartFile(std::string path) : path_(std::move(path)), part_(path_ + ".part") {}
    ~PartFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(part_.c_str());
    }
    Status open() {
        fd_ = ::open(part_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd_ < 0) return io_error("cannot create " + part_);
        return ok_status();
    }
    Status write(const char* data, size_t n) {
        while (n > 0) {
            const ssize_t w = ::write(fd_, data, n);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return io_error("cannot write " + part_);
            data += w;
            n -= static_cast<size_t>(w);
        }
        return ok_status();
    }
    Status keep() {
        if (::fsync(fd_) != 0) return io_error("cannot sync " + part_);
        ::close(fd_);
        fd_ = -1;
        if (::rename(part_.c_str(), path_.c_str()) != 0)
            return io_error("cannot rename to " + path_);
        kept_ = true;
        return ok_status();
    }

  private:
    static Error io_error(const std::string& what) {
        return Error(ErrorKind::Internal, what + ": " + std::strerror(errno));
    }
    std::string path_, part_;
    int fd_ = -1;
    bool kept_ = false;
};

Result<std::string> backup_request(const std::string& prvkey) {
    const boost::json::object msg{{"msgtype", "backupmsg"}, {"time", format_rfc3339(Time::now())}};
    const std::string payload = rpc::base64_encode(to_text(msg));
    auto sig = crypto::sign(payload, prvkey);
    if (!sig) return sig.error();
    return rpc::encode_request("backupmsg", payload, *sig);
}

// One exchange over `stream` (plain or TLS, already connected), each wait bounded by `timeout`
// through the stream's timer while the private io_context runs.
template <class Stream>
class Exchange {
  public:
    Exchange(asio::io_context& ioc, Stream& stream, const Options& opts,
             std::chrono::seconds timeout)
        : ioc_(ioc), stream_(stream), opts_(opts), timeout_(timeout) {}

    Result<uint64_t> run(const std::string& body, const std::string& path,
                         const BackupProgress& progress) {
        http::request<http::string_body> req{http::verb::post, "/backup", 11};
        req.set(http::field::host, opts_.host + ":" + std::to_string(opts_.port));
        req.set(http::field::user_agent, "colonies-cpp");
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        beast::error_code ec = wait([&](auto h) { http::async_write(stream_, req, h); });
        if (ec) return transport::send_failed(opts_, ec);
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(boost::none);
        ec = wait([&](auto h) { http::async_read_header(stream_, buffer_, parser, h); });
        if (ec) return transport::read_failed(opts_, ec, parser.got_some(), timeout_);
        if (parser.get().result() != http::status::ok) return error_reply(std::move(parser));
        return receive(parser, path, progress);
    }

  private:
    template <class Start>
    beast::error_code wait(Start&& start) {
        beast::error_code result = asio::error::would_block;
        beast::get_lowest_layer(stream_).expires_after(timeout_);
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        return result;
    }

    Error error_reply(http::response_parser<http::buffer_body>&& header) {
        http::response_parser<http::string_body> parser{std::move(header)};
        const beast::error_code ec =
            wait([&](auto h) { http::async_read(stream_, buffer_, parser, h); });
        if (ec) return transport::read_failed(opts_, ec, true, timeout_);
        auto r =
            rpc::decode_reply(static_cast<int>(parser.get().result_int()), parser.get().body());
        if (!r) return r.error();
        return internal_error("invalid reply from server: HTTP " +
                              std::to_string(parser.get().result_int()) + " without an error");
    }

    Result<uint64_t> receive(http::response_parser<http::buffer_body>& parser,
                             const std::string& path, const BackupProgress& progress) {
        const uint64_t total = parser.content_length().value_or(0);
        PartFile out(path);
        if (auto st = out.open(); !st) return st.error();
        std::array<char, 256 * 1024> chunk{};
        uint64_t bytes = 0;
        std::string head;  // the first bytes, to check the SQLite header
        while (!parser.is_done()) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            beast::error_code ec =
                wait([&](auto h) { http::async_read_some(stream_, buffer_, parser, h); });
            if (ec == http::error::need_buffer) ec = {};
            if (ec) return transport::read_failed(opts_, ec, true, timeout_);
            const size_t n = chunk.size() - parser.get().body().size;
            if (head.size() < kSqliteMagic.size())
                head.append(chunk.data(), std::min(n, kSqliteMagic.size() - head.size()));
            if (auto st = out.write(chunk.data(), n); !st) return st.error();
            bytes += n;
            if (progress) progress(bytes, total);
        }
        if (total != 0 && bytes != total)
            return transport::failed(opts_, "backup cut short: " + std::to_string(bytes) + " of " +
                                                std::to_string(total) + " bytes");
        if (head != kSqliteMagic)
            return internal_error("invalid reply from server: the backup is not an SQLite file");
        if (auto st = out.keep(); !st) return st.error();
        return bytes;
    }

    asio::io_context& ioc_;
    Stream& stream_;
    const Options& opts_;
    std::chrono::seconds timeout_;
    beast::flat_buffer buffer_;
};

}  // namespace

Result<uint64_t> download_backup(const Options& opts, const std::string& server_prvkey,
                                 const std::string& path, const BackupProgress& progress,
                                 std::chrono::seconds reply_timeout) {
    auto body = backup_request(server_prvkey);
    if (!body) return body.error();
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(opts.host, std::to_string(opts.port), ec);
    if (ec) return transport::resolve_failed(opts, ec);
    beast::tcp_stream plain(ioc);
    plain.expires_after(opts.connect_timeout);
    plain.async_connect(endpoints, [&ec](beast::error_code e, auto&&) { ec = e; });
    ioc.run();
    if (ec) return transport::connect_failed(opts, ec);
    if (!opts.tls) return Exchange(ioc, plain, opts, reply_timeout).run(*body, path, progress);

    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(opts.skip_tls_verify ? asio::ssl::verify_none : asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), ctx);
    SSL_set_tlsext_host_name(secure.native_handle(), opts.host.c_str());
    if (!opts.skip_tls_verify)
        secure.set_verify_callback(asio::ssl::host_name_verification(opts.host));
    beast::get_lowest_layer(secure).expires_after(opts.connect_timeout);
    secure.async_handshake(asio::ssl::stream_base::client, [&ec](beast::error_code e) { ec = e; });
    ioc.restart();
    ioc.run();
    if (ec) return transport::tls_failed(opts, ec);
    return Exchange(ioc, secure, opts, reply_timeout).run(*body, path, progress);
}

}  // namespace colonies::client
