// What failed when a request did not get its reply: one Error per step of the exchange, shared
// by the RPC client and the WebSocket subscription. A failure before the connection exists is
// Unreachable (the CLI then asks whether the server runs); after it, Transport, or Timeout for
// a wait that ran out. The message names the server and the step.
#pragma once
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>

#include "client/client.hpp"

namespace colonies::client::transport {

using boost::system::error_code;

Error resolve_failed(const Options& o, const error_code& ec);
Error connect_failed(const Options& o, const error_code& ec);
Error tls_failed(const Options& o, const std::string& why);
Error tls_failed(const Options& o, const error_code& ec);
Error send_failed(const Options& o, const error_code& ec);
// `got_some`: part of the reply had arrived when the read failed.
Error read_failed(const Options& o, const error_code& ec, bool got_some,
                  std::chrono::seconds timeout);
// Any other failure on an established connection (e.g. a WebSocket handshake).
Error failed(const Options& o, const std::string& what);

}  // namespace colonies::client::transport
