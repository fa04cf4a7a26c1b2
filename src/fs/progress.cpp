#include "fs/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace colonies::fs {
namespace {

std::string mib(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

}  // namespace

ProgressBar::ProgressBar(std::string message, int64_t total_bytes, int64_t total_files, bool quiet)
    : message_(std::move(message)),
      total_bytes_(total_bytes),
      total_files_(total_files),
      quiet_(quiet),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {
    if (quiet_ || !tty_) return;
    drawer_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(mu_);
        while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return done_; }))
            draw(false);
    });
}

ProgressBar::~ProgressBar() {
    finish();
}

void ProgressBar::finish() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (done_) return;
        done_ = true;
    }
    cv_.notify_all();
    if (drawer_.joinable()) drawer_.join();
    if (!quiet_) draw(true);
}

void ProgressBar::draw(bool final) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int64_t bytes = bytes_, files = files_;
    char line[256];
    if (final) {
        const double s = secs > 0 ? secs : 1e-9;
        std::snprintf(line, sizeof line, "%s: %lld files, %s in %.2f s (%.1f MiB/s, %.1f files/s)",
                      message_.c_str(), static_cast<long long>(files), mib(bytes).c_str(), secs,
                      static_cast<double>(bytes) / (1024.0 * 1024.0) / s,
                      static_cast<double>(files) / s);
        std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", line);
        return;
    }
    constexpr int kWidth = 30;
    const double frac =
        total_bytes_ > 0   ? static_cast<double>(bytes) / static_cast<double>(total_bytes_)
        : total_files_ > 0 ? static_cast<double>(files) / static_cast<double>(total_files_)
                           : 1.0;
    const int filled = static_cast<int>(frac * kWidth + 0.5);
    std::string bar(static_cast<size_t>(std::min(filled, kWidth)), '#');
    bar.resize(kWidth, '.');
    std::snprintf(line, sizeof line, "%s [%s] %3d%% %s / %s  %lld/%lld files", message_.c_str(),
                  bar.c_str(), static_cast<int>(frac * 100), mib(bytes).c_str(),
                  mib(total_bytes_).c_str(), static_cast<long long>(files),
                  static_cast<long long>(total_files_));
    std::fprintf(stderr, "\r\033[K%s", line);
    std::fflush(stderr);
}

}  // namespace colonies::fs
