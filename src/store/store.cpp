#include "store/store.hpp"

#include <array>
#include <condition_variable>
#include <mutex>
#include <string_view>

namespace colonies::store {
namespace {

struct Tag {
    FailureKind kind;
    std::string_view prefix;
};
constexpr std::array<Tag, 3> kTags{{
    {FailureKind::Unavailable, "storage unavailable: "},
    {FailureKind::Busy, "server busy: "},
    {FailureKind::InDoubt, "commit outcome unknown: "},
}};

}  // namespace

std::string failure_text(FailureKind kind, const std::string& detail) {
    for (const auto& t : kTags)
        if (t.kind == kind) return std::string(t.prefix) + detail;
    return detail;
}

FailureKind failure_kind(const std::string& error) {
    for (const auto& t : kTags)
        if (error.starts_with(t.prefix)) return t.kind;
    return FailureKind::Failed;
}

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
