// A private S3-protocol server for ColonyFS tests: npm's s3rver (tests/support/package.json,
// installed by scripts/install-deps.sh) on a free loopback port behind s3verify.js, which checks
// every request's AWS Signature V4 (s3rver itself checks only the access key of V4 requests);
// data in a temporary directory; stopped and removed afterwards. The account is S3RVER/S3RVER.
// Throws std::runtime_error with a clear message when node or s3rver is missing or it does not come
// up: tests never skip.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace colonies::testsupport {

class S3rverProcess {
  public:
    S3rverProcess();
    ~S3rverProcess();
    S3rverProcess(const S3rverProcess&) = delete;
    S3rverProcess& operator=(const S3rverProcess&) = delete;

    int port() const { return port_; }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
    // AWS_S3_* for clients of this server with `bucket`.
    std::vector<std::pair<std::string, std::string>> env(const std::string& bucket) const;
    std::string objects_dir() const { return dir_ + "/data"; }

  private:
    ChildProcess child_;     // s3rver, on an inner port
    ChildProcess verifier_;  // the signature check in front of it, on port()
    std::string dir_;
    int port_ = 0;
};

}  // namespace colonies::testsupport
