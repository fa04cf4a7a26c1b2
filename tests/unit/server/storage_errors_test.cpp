// Storage failures as callers see them (issue 13.6): the kind of failure decides the status and a
// fixed, detail-free text; the detail (host, port, file, SQL) goes to the server log, at most one
// line per interval.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <sstream>

#include "server/rate_limited_log.hpp"
#include "server/store_call.hpp"

namespace colonies::server {
namespace {

// Fails every job with the given text.
class FailingStore final : public store::Store {
  public:
    explicit FailingStore(std::string error) : error_(std::move(error)) {}
    void post(Job, Done done) override { done(false, error_); }

  private:
    std::string error_;
};

Error failure_of(const std::string& store_error, std::ostream& log) {
    FailingStore store(store_error);
    StoreCall call(store, std::make_shared<RateLimitedLog>(log));
    boost::asio::io_context ioc;
    std::optional<Error> got;
    boost::asio::co_spawn(
        boost::asio::make_strand(ioc),
        [&]() -> boost::asio::awaitable<void> {
            auto job = [](store::StoreTx&) { return true; };
            auto failed = co_await call.run(std::move(job));
            if (failed) got = *failed;
        },
        boost::asio::detached);
    ioc.run();
    if (!got) throw std::runtime_error("the job did not fail");
    return *got;
}

const std::string kLeak =
    R"(cannot connect to PostgreSQL: connection to server at "127.0.0.1", port 54321 failed: )"
    "Connection refused";

TEST(StorageErrors, UnreachableDatabaseIs503WithoutDetail) {
    std::ostringstream log;
    auto e = failure_of(store::failure_text(store::FailureKind::Unavailable, kLeak), log);
    EXPECT_EQ(e.status, 503);
    EXPECT_EQ(e.message, "Storage failure: storage unavailable");
    EXPECT_NE(log.str().find(kLeak), std::string::npos) << log.str();
}

TEST(StorageErrors, FullQueueIs503ServerBusy) {
    std::ostringstream log;
    auto e =
        failure_of(store::failure_text(store::FailureKind::Busy, "storage queue full (3)"), log);
    EXPECT_EQ(e.status, 503);
    EXPECT_EQ(e.message, "server busy: storage queue full");
}

TEST(StorageErrors, OtherFailuresAre500WithoutDetail) {
    std::ostringstream log;
    auto e =
        failure_of("sqlite: disk I/O error in /var/lib/colonies/colonies.db: INSERT INTO x", log);
    EXPECT_EQ(e.status, 500);
    EXPECT_EQ(e.message.rfind("Storage failure: ", 0), 0u) << e.message;
    EXPECT_EQ(e.message.find("/var/lib"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("INSERT"), std::string::npos) << e.message;
    EXPECT_NE(log.str().find("/var/lib/colonies/colonies.db"), std::string::npos);

    auto lost = failure_of(store::failure_text(store::FailureKind::InDoubt, kLeak), log);
    EXPECT_EQ(lost.status, 500);
    EXPECT_EQ(lost.message.find("127.0.0.1"), std::string::npos) << lost.message;
}

TEST(RateLimitedLog, OneLinePerIntervalAndCountsTheRest) {
    std::ostringstream out;
    RateLimitedLog log(out, std::chrono::seconds(1));
    const auto t0 = RateLimitedLog::Clock::now();
    log.write("first", t0);
    for (int i = 0; i < 50; ++i) log.write("again", t0 + std::chrono::milliseconds(10 * i));
    EXPECT_EQ(out.str().find("again"), std::string::npos);
    log.write("later", t0 + std::chrono::milliseconds(1500));
    const std::string text = out.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
    EXPECT_NE(text.find("later (50 similar lines not shown)"), std::string::npos) << text;
}

}  // namespace
}  // namespace colonies::server
