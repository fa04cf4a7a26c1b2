// Progress bars for ColonyFS transfers on stderr (cli.md 3.18). On a terminal each bar is
// redrawn in place a few times a second; otherwise nothing is drawn while it runs. Either way
// a finished bar leaves one summary line ("Uploading /data: 3 files, 1.2 MiB in 0.4 s (3.0
// MiB/s, 7.5 files/s)"), unless quiet. add() may be called from any thread.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace colonies::fs {

class ProgressBar {
  public:
    ProgressBar(std::string message, int64_t total_bytes, int64_t total_files, bool quiet);
    ~ProgressBar();  // finish()es
    void add_bytes(int64_t n) { bytes_ += n; }
    void add_file() { ++files_; }
    void finish();

  private:
    void draw(bool final);
    std::string message_;
    int64_t total_bytes_, total_files_;
    bool quiet_, tty_;
    std::atomic<int64_t> bytes_{0}, files_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread drawer_;
};

}  // namespace colonies::fs
