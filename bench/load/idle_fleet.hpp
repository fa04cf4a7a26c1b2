// A fleet of executors long-polling assignprocessmsg, driven by a few threads: each executor is
// a coroutine on one keep-alive connection, not a thread, so 10,000 of them cost the load
// generator a few MB. The assign request of each executor is signed once and re-sent (the
// protocol has no nonce). An executor that gets a process reports it and closes it
// successfully, then polls again.
#pragma once
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "setup.hpp"

namespace colonies::bench {

// The signed request body of `msg` (as Client::call builds it).
std::string signed_body(const std::string& msgtype, boost::json::object msg,
                        const std::string& prvkey);
// A keep-alive POST /api of `body` to `host` ("host:port").
boost::beast::http::request<boost::beast::http::string_body> post(const std::string& host,
                                                                  std::string body);

class IdleFleet {
  public:
    struct Assigned {
        std::string processid;
        int64_t at_ns;  // when the assign reply was read
    };
    IdleFleet(const Options& o, const BenchColony& c, std::vector<Member> executors, int threads,
              int poll_timeout_s);
    ~IdleFleet();
    IdleFleet(const IdleFleet&) = delete;
    IdleFleet& operator=(const IdleFleet&) = delete;

    void start();
    // Executors whose first assign request has been written (they are parked at the server).
    long parked() const { return parked_; }
    long errors() const { return errors_; }
    // The next process some executor got, or nullopt after `wait`.
    std::optional<Assigned> next_assigned(std::chrono::milliseconds wait);
    void stop();

  private:
    boost::asio::awaitable<void> session(size_t i);
    void report(Assigned a);

    Options opts_;
    BenchColony colony_;
    std::vector<Member> executors_;
    int threads_n_;
    int poll_timeout_s_;
    std::vector<std::string> assign_bodies_;  // signed once per executor
    boost::asio::io_context ioc_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
    std::atomic<long> parked_{0}, errors_{0};
    std::atomic<bool> stopping_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Assigned> assigned_;
};

}  // namespace colonies::bench
