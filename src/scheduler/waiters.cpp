#include "scheduler/waiters.hpp"

#include <algorithm>
#include <cctype>

namespace colonies::scheduler {
namespace {

std::string key_of(const std::string& colony, const std::string& type) {
    return colony + '\x1f' + type;
}

std::string name_key_of(const std::string& colony, const std::string& type,
                        const std::string& name) {
    return colony + '\x1f' + type + '\x1f' + name;
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
    auto& list = by_key_[key_of(spec.colonyname, spec.executortype)];
    auto& names = by_name_[name_key_of(spec.colonyname, spec.executortype, spec.executorname)];
    list.push_back(Entry{id, std::move(spec), std::move(wake)});
    names.push_back(std::prev(list.end()));
    index_.emplace(id, Slot{std::prev(list.end()), std::prev(names.end())});
    return id;
}

void Waiters::erase_locked(std::unordered_map<uint64_t, Slot>::iterator slot) {
    const WaiterSpec& s = slot->second.entry->spec;
    auto nit = by_name_.find(name_key_of(s.colonyname, s.executortype, s.executorname));
    nit->second.erase(slot->second.by_name);
    if (nit->second.empty()) by_name_.erase(nit);
    auto lit = by_key_.find(key_of(s.colonyname, s.executortype));
    lit->second.erase(slot->second.entry);
    if (lit->second.empty()) by_key_.erase(lit);
    index_.erase(slot);
}

void Waiters::remove(uint64_t id) {
    std::lock_guard lk(mu_);
    auto it = index_.find(id);
    if (it != index_.end()) erase_locked(it);
}

bool Waiters::notify(const ReadyProcess& p) {
    Wake wake;
    {
        std::lock_guard lk(mu_);
        ++sequence_;
        Entry* chosen = nullptr;
        if (p.executornames.empty()) {
            auto lit = by_key_.find(key_of(p.colonyname, p.executortype));
            if (lit == by_key_.end()) return false;
            for (auto& e : lit->second) {
                if (can_take(e.spec, p)) {
                    chosen = &e;
                    break;
                }
            }
        } else {
            // The oldest able waiter among those named: the one a scan of the whole
            // (colony, type) list would find first.
            for (const auto& name : p.executornames) {
                auto nit = by_name_.find(name_key_of(p.colonyname, p.executortype, name));
                if (nit == by_name_.end()) continue;
                for (auto& e : nit->second) {
                    if (!can_take(e->spec, p)) continue;
                    if (!chosen || e->id < chosen->id) chosen = &*e;
                    break;
                }
            }
        }
        if (!chosen) return false;
        wake = std::move(chosen->wake);
        erase_locked(index_.find(chosen->id));
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
        std::vector<uint64_t> ids;
        for (const auto& [key, list] : by_key_)
            if (!list.empty() && list.front().spec.colonyname == colony)
                for (const auto& e : list) ids.push_back(e.id);
        for (uint64_t id : ids) {
            auto slot = index_.find(id);
            wakes.push_back(std::move(slot->second.entry->wake));
            erase_locked(slot);
        }
    }
    for (auto& w : wakes) w();
}

void Waiters::clear() {
    // Destroyed outside the lock: what the wake functions own is released there, not under mu_.
    std::unordered_map<std::string, List> dropped;
    {
        std::lock_guard lk(mu_);
        index_.clear();
        by_name_.clear();
        dropped.swap(by_key_);
    }
}

size_t Waiters::size() const {
    std::lock_guard lk(mu_);
    return index_.size();
}

}  // namespace colonies::scheduler
