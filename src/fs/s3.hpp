// A small S3 object-store client for ColonyFS (features.md 4): bucket check/create and whole-
// object put, get and delete, path-style (`<endpoint>/<bucket>/<key>`, as upstream's MinIO client
// uses for non-AWS endpoints). Requests are signed by libcurl's built-in AWS Signature V4
// (CURLOPT_AWS_SIGV4); nothing here signs by hand.
//
// Configuration is upstream's AWS_S3_* variables (features.md 8.2). One S3Client holds one curl
// handle (its connections are reused) and is not thread-safe: give each worker thread its own
// copy (copies share nothing). Errors carry the store's own code and message.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace colonies::fs {

struct S3Config {
    std::string endpoint;  // "host:port" (AWS_S3_ENDPOINT)
    std::string accesskey, secretkey;
    std::string region;  // signing region; "" signs as us-east-1
    std::string bucket;
    bool tls = false;          // AWS_S3_TLS=true: https
    bool skip_verify = false;  // AWS_S3_SKIPVERIFY=true: accept any certificate
};

// Reads AWS_S3_ENDPOINT, _ACCESSKEY, _SECRETKEY, _REGION, _BUCKET, _TLS, _SKIPVERIFY. Fails with
// a message naming what is missing when the endpoint or the bucket is unset.
Result<S3Config> s3_config_from_env();

// Called with the number of bytes moved since the previous call (from the calling thread).
using Progress = std::function<void(int64_t bytes)>;

class S3Client {
  public:
    explicit S3Client(S3Config cfg);
    ~S3Client();
    S3Client(const S3Client& other);  // a fresh handle with the same configuration
    S3Client& operator=(const S3Client&) = delete;

    const S3Config& config() const { return cfg_; }

    // Creates the bucket unless it exists (upstream checks this before anything else).
    Status ensure_bucket();
    // Uploads the file at `path` as `key`.
    Status put_file(const std::string& key, const std::string& path, const Progress& progress);
    // Downloads `key` to `path` (written beside it first, then renamed: no half files).
    Status get_file(const std::string& key, const std::string& path, const Progress& progress);
    // Deletes `key`; a key that does not exist is not an error (S3 semantics).
    Status remove(const std::string& key);
    Result<bool> exists(const std::string& key);

  private:
    struct Reply {
        long status = 0;
        std::string body;
    };
    Result<Reply> request(const std::string& method, const std::string& path,
                          const std::string& body, FILE* upload, int64_t upload_size,
                          FILE* download, const Progress* progress);
    std::string url(const std::string& path) const;

    S3Config cfg_;
    void* curl_ = nullptr;  // CURL*
};

}  // namespace colonies::fs
