// Store jobs awaited from the I/O threads: the job runs on the store thread inside the batch's
// transaction, and the awaiting coroutine resumes on its own executor (its connection's strand)
// once the batch is durable. Shared by the RPC pipeline, the long poll and the cluster fan-out.
//
// A failed job's detail (which may name the database's host, port, file or SQL) goes to the
// server log only; the caller gets an Error that says what kind of failure it was and no more.
#pragma once
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/result.hpp"
#include "server/rate_limited_log.hpp"
#include "server/store_completions.hpp"
#include "store/store.hpp"

namespace colonies::server {

// What a caller is told of a failed store job (store::FailureKind), with no detail.
inline Error storage_error(const std::string& failure) {
    switch (store::failure_kind(failure)) {
        case store::FailureKind::Unavailable:
            return unavailable("Storage failure: storage unavailable");
        case store::FailureKind::Busy:
            return unavailable("server busy: storage queue full");
        case store::FailureKind::InDoubt:
            return internal_error(
                "Storage failure: connection lost during commit; the change may or may not have "
                "been applied");
        case store::FailureKind::Failed:
            break;
    }
    return internal_error("Storage failure: internal storage error (details in the server log)");
}

class StoreCall {
  public:
    explicit StoreCall(store::Store& store,
                       std::shared_ptr<RateLimitedLog> log = std::make_shared<RateLimitedLog>())
        : store_(store), log_(std::move(log)) {}

    // `job(tx)` returns false to roll its own changes back. Returns what to tell the caller when
    // the batch failed to commit (the detail is logged), nullopt otherwise. What the job finds it
    // writes to state it owns: keep that on the heap when the caller parks afterwards (a coroutine
    // frame holding it would carry it for as long as a long poll waits).
    template <class Job>
    boost::asio::awaitable<std::optional<Error>> run(Job job) {
        namespace asio = boost::asio;
        auto initiate = [this, &job](auto handler) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            store_.post([job = std::move(job)](store::StoreTx& tx) { return job(tx); },
                        [h, completions = completions_](bool committed, const std::string& error) {
                            completions->push(asio::get_associated_executor(*h),
                                              [h, committed, error] { (*h)(committed, error); });
                        });
        };
        // Named initiation object: g++ 12 mishandles non-trivial temporaries inside co_await.
        auto [committed, error] =
            co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool, std::string)>(
                std::move(initiate), asio::use_awaitable);
        if (committed) co_return std::nullopt;
        log_->write("colonies server: storage failure: " + error);
        co_return storage_error(error);
    }

  private:
    store::Store& store_;
    std::shared_ptr<RateLimitedLog> log_;
    // Shared: a store drains its queue when it is destroyed, possibly after this object.
    std::shared_ptr<StoreCompletions> completions_ = std::make_shared<StoreCompletions>();
};

}  // namespace colonies::server
