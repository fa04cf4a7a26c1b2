#include "scheduler/waiters.hpp"

#include <algorithm>
#include <cctype>

namespace colonies::scheduler {
namespace {

std::string key_of(const std::string& colony, const std::string& type) {
    return colony + '\x1f' + type;
}

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

bool can_take(const WaiterSpec& w, const ReadyProcess& p) {
    if (w.colonyname != p.colonyname || w.executortype != p.executortype) return false;
    if (!p.executornames.empty() && std::find(p.executornames.begin(), p.executornames.end(),
                                              w.executorname) == p.executornames.end())
        return false;
    if (!p.locationname.empty() && !iequals(p.locationname, w.locationname)) return false;
    return p.cpu_millis <= w.max_cpu_millis && p.mem_bytes <= w.max_mem_bytes;
}

uint64_t Waiters::sequence() const {
    std::lock_guard lk(mu_);
    return sequence_;
}

std::optional<uint64_t> Waiters::add(WaiterSpec spec, Wake wake, uint64_t seen_sequence) {
    std::lock_guard lk(mu_);
    if (sequence_ != seen_sequence) return std::nullopt;
    uint64_t id = next_id_++;
    auto key = key_of(spec.colonyname, spec.executortype);
    auto& list = by_key_[key];
    list.push_back(Entry{id, std::move(spec), std::move(wake)});
    index_.emplace(id, std::make_pair(std::move(key), std::prev(list.end())));
    return id;
}

void Waiters::remove(uint64_t id) {
    std::lock_guard lk(mu_);
    auto it = index_.find(id);
    if (it == index_.end()) return;
    auto lit = by_key_.find(it->second.first);
    lit->second.erase(it->second.second);
    if (lit->second.empty()) by_key_.erase(lit);
    index_.erase(it);
}

bool Waiters::notify(const ReadyProcess& p) {
    Wake wake;
    {
        std::lock_guard lk(mu_);
        ++sequence_;
        auto lit = by_key_.find(key_of(p.colonyname, p.executortype));
        if (lit == by_key_.end()) return false;
        auto& list = lit->second;
        for (auto it = list.begin(); it != list.end(); ++it) {
            if (!can_take(it->spec, p)) continue;
            wake = std::move(it->wake);
            index_.erase(it->id);
            list.erase(it);
            if (list.empty()) by_key_.erase(lit);
            break;
        }
    }
    if (!wake) return false;
    wake();
    return true;
}

void Waiters::notify_colony(const std::string& colony) {
    std::vector<Wake> wakes;
    {
        std::lock_guard lk(mu_);
        ++sequence_;
        for (auto it = by_key_.begin(); it != by_key_.end();) {
            if (!it->second.empty() && it->second.front().spec.colonyname == colony) {
                for (auto& e : it->second) {
                    wakes.push_back(std::move(e.wake));
                    index_.erase(e.id);
                }
                it = by_key_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& w : wakes) w();
}

size_t Waiters::size() const {
    std::lock_guard lk(mu_);
    return index_.size();
}

}  // namespace colonies::scheduler
