#include "s3rver_process.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <stdexcept>

#include "etcd_process.hpp"

#ifndef COLONIES_SOURCE_DIR
#error "COLONIES_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)"
#endif

namespace colonies::testsupport {

S3rverProcess::S3rverProcess() {
    const std::string script =
        std::string(COLONIES_SOURCE_DIR) + "/tests/support/node_modules/s3rver/bin/s3rver.js";
    struct stat st {};
    if (::stat(script.c_str(), &st) != 0)
        throw std::runtime_error("s3rver is not installed (" + script +
                                 " missing): run scripts/install-deps.sh, which runs npm ci in "
                                 "tests/support");
    if (::stat("/usr/bin/node", &st) != 0)
        throw std::runtime_error(
            "node is not installed (/usr/bin/node): run scripts/install-deps.sh");
    dir_ = make_temp_dir("colonies-s3rver");
    ::mkdir((dir_ + "/data").c_str(), 0755);
    const std::string log = dir_ + "/s3rver.log";
    const std::string verifier = std::string(COLONIES_SOURCE_DIR) + "/tests/support/s3verify.js";
    for (int attempt = 1;; ++attempt) {
        const int inner = pick_free_port();
        do {
            port_ = pick_free_port();
        } while (port_ == inner);
        child_.start({"/usr/bin/node", script, "-d", dir_ + "/data", "-a", "127.0.0.1", "-p",
                      std::to_string(inner), "--no-vhost-buckets", "--silent"},
                     log, {}, "", SIGTERM);
        verifier_.start({"/usr/bin/node", verifier, std::to_string(port_), std::to_string(inner)},
                        dir_ + "/s3verify.log", {}, "", SIGTERM);
        bool up = wait_until(child_, std::chrono::seconds(30), [&] {
            // Only the verifier answers an unsigned request this way: s3rver is behind it.
            return !http_get_loopback(inner, "/").empty() &&
                   http_get_loopback(port_, "/").find("Expected an AWS Signature V4") !=
                       std::string::npos;
        });
        if (up && verifier_.running()) return;
        child_.stop(SIGTERM);
        verifier_.stop(SIGTERM);
        if (attempt == 3)
            throw std::runtime_error("s3rver did not start: " + read_file(log) +
                                     read_file(dir_ + "/s3verify.log"));
    }
}

S3rverProcess::~S3rverProcess() {
    verifier_.stop(SIGTERM, std::chrono::seconds(5));
    child_.stop(SIGTERM, std::chrono::seconds(5));
    remove_tree(dir_);
}

std::vector<std::pair<std::string, std::string>> S3rverProcess::env(
    const std::string& bucket) const {
    return {{"AWS_S3_ENDPOINT", endpoint()}, {"AWS_S3_ACCESSKEY", "S3RVER"},
            {"AWS_S3_SECRETKEY", "S3RVER"},  {"AWS_S3_REGION", "us-east-1"},
            {"AWS_S3_BUCKET", bucket},       {"AWS_S3_TLS", "false"}};
}

}  // namespace colonies::testsupport
