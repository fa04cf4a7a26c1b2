#include "proc.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "stats.hpp"

namespace colonies::bench {

double process_cpu_seconds(pid_t pid) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name (field 2) may contain spaces: count fields after its closing ')'.
    auto close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) utime = std::stoul(field);
        if (i == 15) {
            stime = std::stoul(field);
            break;
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_rss_mib(pid_t pid) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
    }
    return -1;
}

double self_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

namespace {
double wall_seconds() {
    return static_cast<double>(now_ns()) / 1e9;
}
}  // namespace

CpuMeter::CpuMeter(pid_t server_pid)
    : pid_(server_pid),
      server0_(process_cpu_seconds(server_pid)),
      self0_(self_cpu_seconds()),
      wall0_(wall_seconds()) {}

void CpuMeter::put(boost::json::object& out) const {
    const double wall = wall_seconds() - wall0_;
    out["wall_s"] = round3(wall);
    if (server0_ >= 0) {
        const double s = process_cpu_seconds(pid_);
        if (s >= 0) out["server_cpu_s"] = round3(s - server0_);
    }
    out["loadgen_cpu_s"] = round3(self_cpu_seconds() - self0_);
}

}  // namespace colonies::bench
