#include "fixtures.hpp"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "core/resources.hpp"
#include "crypto/crypto.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace colonies::bench {

Process sample_process(const std::string& colony, const std::string& type) {
    static std::atomic<long> counter{0};
    Process p;
    p.processid = crypto::sha3_256_hex("bench-process-" + std::to_string(counter++));
    p.initiatorid = crypto::sha3_256_hex("initiator");
    p.initiatorname = "submitter-0";
    p.state = ProcessState::Waiting;
    p.submissiontime = Time::now();
    p.prioritytime = priority_time(p.submissiontime.ns, 0);
    p.spec.funcname = "bench";
    p.spec.args = boost::json::array{p.submissiontime.ns, true};
    p.spec.maxwaittime = -1;
    p.spec.maxexectime = -1;
    p.spec.maxretries = -1;
    p.spec.conditions.colonyname = colony;
    p.spec.conditions.executortype = type;
    return p;
}

TempStore::TempStore() {
    // /var/tmp rather than /tmp: it is never tmpfs, so a commit pays a real fsync.
    char tmpl[] = "/var/tmp/colonies-micro-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    store_ = store::open_sqlite_store({dir_ + "/bench.db"});
}

TempStore::~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

}  // namespace colonies::bench
