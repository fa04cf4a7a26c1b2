#include "server/long_poll.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <memory>

namespace colonies::server {
namespace asio = boost::asio;

namespace {

// One parking: ended by a wake-up, the timer or a hang-up. Touched on the strand only.
struct Parking {
    explicit Parking(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool woken = false;
};

// A poll across its parkings: whether its client hung up, and the parking to cut short when it
// does. Touched on the strand only.
struct Watch {
    bool hung_up = false;
    std::shared_ptr<Parking> park;
    bool watching = false;
};

// Parks until woken, `until`, or the hang-up. Returns at once if a process became ready since
// `seen` (Waiters::add refuses).
asio::awaitable<void> park(scheduler::Waiters& waiters, const scheduler::WaiterSpec& spec,
                           uint64_t seen, LongPoll::Clock::time_point until,
                           const std::shared_ptr<Watch>& watch, const WatchHangup& watch_hangup) {
    auto ex = co_await asio::this_coro::executor;
    auto parking = std::make_shared<Parking>(ex);
    watch->park = parking;
    if (watch_hangup && !watch->watching) {
        watch->watching = true;
        watch_hangup([watch, ex] {
            asio::post(ex, [watch] {
                watch->hung_up = true;
                watch->park->timer.cancel();
            });
        });
    }
    auto wake = [parking, ex] {
        asio::post(ex, [parking] {
            parking->woken = true;
            parking->timer.cancel();
        });
    };
    auto id = waiters.add(spec, std::move(wake), seen);
    if (!id) co_return;
    parking->timer.expires_at(until);
    boost::system::error_code ec;
    if (!parking->woken && !watch->hung_up)
        co_await parking->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    waiters.remove(*id);
}

}  // namespace

asio::awaitable<std::optional<rpc::Reply>> LongPoll::run(const Attempt& attempt,
                                                         const WatchHangup& watch_hangup) {
    uint64_t seen = waiters_.sequence();
    auto found = co_await attempt();
    if (auto* reply = std::get_if<rpc::Reply>(&found)) co_return std::move(*reply);
    const auto& first = std::get<Wait>(found);
    if (first.timeout.count() <= 0) co_return first.at_deadline;
    const auto deadline = Clock::now() + first.timeout;
    const auto spec = std::make_shared<const scheduler::WaiterSpec>(first.spec);
    found = Wait{};  // nothing of an attempt is kept while parked
    auto watch = std::make_shared<Watch>();
    for (;;) {
        auto until = deadline;
        if (recheck_) until = std::min(deadline, Clock::now() + *recheck_);
        co_await park(waiters_, *spec, seen, until, watch, watch_hangup);
        if (watch->hung_up) co_return std::nullopt;
        seen = waiters_.sequence();
        found = co_await attempt();
        if (auto* reply = std::get_if<rpc::Reply>(&found)) co_return std::move(*reply);
        if (Clock::now() >= deadline) co_return std::move(std::get<Wait>(found).at_deadline);
        found = Wait{};
    }
}

}  // namespace colonies::server
