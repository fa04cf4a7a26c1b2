#include "server/process_stats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace colonies::server {
namespace {

// Boot time in seconds since the epoch (the `btime` line of /proc/stat); 0 when unreadable.
int64_t boot_time() {
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            int64_t t = 0;
            in >> t;
            return t;
        }
        std::getline(in, key);
    }
    return 0;
}

int64_t count_open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return -1;
    int64_t n = 0;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the descriptor of the listing itself
}

}  // namespace

ProcessStats read_process_stats() {
    ProcessStats p;
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return p;
    // The command name (field 2) is in parentheses and may hold spaces: fields follow the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return p;
    std::istringstream rest(line.substr(close + 1));
    std::vector<std::string> f;
    for (std::string tok; rest >> tok;) f.push_back(tok);
    // f[0] is field 3 (state): field N is f[N - 3].
    if (f.size() < 22) return p;
    try {
        const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
        p.cpu_seconds = static_cast<double>(std::stoll(f[11]) + std::stoll(f[12])) / tick;
        p.threads = std::stoll(f[17]);
        p.start_time_seconds =
            static_cast<double>(boot_time()) + static_cast<double>(std::stoll(f[19])) / tick;
        p.virtual_bytes = std::stoll(f[20]);
        p.resident_bytes = std::stoll(f[21]) * ::sysconf(_SC_PAGESIZE);
    } catch (const std::exception&) {
        return ProcessStats{};
    }
    p.open_fds = count_open_fds();
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        p.max_fds = static_cast<int64_t>(lim.rlim_cur);
    p.ok = true;
    return p;
}

}  // namespace colonies::server
