#include "store/store.hpp"

#include <condition_variable>
#include <mutex>

namespace colonies::store {

bool Store::run_sync(Job job, std::string* error) {
    std::mutex m;
    std::condition_variable cv;
    bool finished = false, ok = false;
    post(std::move(job), [&](bool committed, const std::string& err) {
        std::lock_guard lk(m);
        ok = committed;
        if (error) *error = err;
        finished = true;
        cv.notify_one();
    });
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return finished; });
    return ok;
}

}  // namespace colonies::store
