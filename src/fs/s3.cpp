#include "fs/s3.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace colonies::fs {
namespace {

std::string getenv_str(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string sha256_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

// Keys and bucket names as one URL path: unreserved characters and '/' stay, the rest is
// percent-encoded (S3's canonical URI form, which libcurl signs as given).
std::string encode_path(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// The text between <tag> and </tag> in an S3 error document, "" when absent.
std::string xml_field(const std::string& xml, const std::string& tag) {
    auto b = xml.find("<" + tag + ">");
    if (b == std::string::npos) return "";
    b += tag.size() + 2;
    auto e = xml.find("</" + tag + ">", b);
    return e == std::string::npos ? "" : xml.substr(b, e - b);
}

Error s3_error(const std::string& what, long status, const std::string& body) {
    std::string msg = "S3 " + what + " failed: HTTP " + std::to_string(status);
    const std::string code = xml_field(body, "Code"), text = xml_field(body, "Message");
    if (!code.empty()) msg += " " + code;
    if (!text.empty()) msg += ": " + text;
    if (status == 404) return not_found(msg);
    if (status == 401 || status == 403) return forbidden(msg);
    return Error(ErrorKind::Unavailable, msg);
}

struct Transfer {
    std::string* body = nullptr;  // reply body when not downloading
    FILE* download = nullptr;
    FILE* upload = nullptr;
    const Progress* progress = nullptr;
    bool ok_status = true;  // false: keep the error body instead of writing the file
};

size_t on_write(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const size_t len = size * n;
    if (t->download && t->ok_status) {
        if (std::fwrite(data, 1, len, t->download) != len) return 0;
        if (t->progress && *t->progress) (*t->progress)(static_cast<int64_t>(len));
    } else if (t->body->size() < (1 << 20)) {
        t->body->append(data, len);
    }
    return len;
}

size_t on_read(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const size_t got = std::fread(data, 1, size * n, t->upload);
    if (got > 0 && t->progress && *t->progress) (*t->progress)(static_cast<int64_t>(got));
    if (got == 0 && std::ferror(t->upload)) return CURL_READFUNC_ABORT;
    return got;
}

// The first status line tells whether the body is the object or an error document.
size_t on_header(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    const std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        auto sp = line.find(' ');
        const int status = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
        t->ok_status = status >= 200 && status < 300;
    }
    return size * n;
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

Result<S3Config> s3_config_from_env() {
    S3Config c;
    c.endpoint = getenv_str("AWS_S3_ENDPOINT");
    c.accesskey = getenv_str("AWS_S3_ACCESSKEY");
    c.secretkey = getenv_str("AWS_S3_SECRETKEY");
    c.region = getenv_str("AWS_S3_REGION");
    c.bucket = getenv_str("AWS_S3_BUCKET");
    c.tls = getenv_str("AWS_S3_TLS") == "true";
    c.skip_verify = getenv_str("AWS_S3_SKIPVERIFY") == "true";
    if (c.endpoint.empty())
        return bad_request("AWS_S3_ENDPOINT is not set (ColonyFS needs an S3 object store)");
    if (c.bucket.empty()) return bad_request("AWS_S3_BUCKET is not set");
    return c;
}

S3Client::S3Client(S3Config cfg) : cfg_(std::move(cfg)) {
    global_init();
    curl_ = curl_easy_init();
}

S3Client::S3Client(const S3Client& other) : S3Client(other.cfg_) {}

S3Client::~S3Client() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string S3Client::url(const std::string& path) const {
    return std::string(cfg_.tls ? "https://" : "http://") + cfg_.endpoint + "/" + encode_path(path);
}

Result<S3Client::Reply> S3Client::request(const std::string& method, const std::string& path,
                                          const std::string& body, FILE* upload,
                                          int64_t upload_size, FILE* download,
                                          const Progress* progress) {
    auto* h = static_cast<CURL*>(curl_);
    if (!h) return internal_error("cannot create a curl handle");
    curl_easy_reset(h);
    Reply reply;
    Transfer t{&reply.body, download, upload, progress};
    const std::string u = url(path);
    const std::string sigv4 =
        "aws:amz:" + (cfg_.region.empty() ? std::string("us-east-1") : cfg_.region) + ":s3";
    // libcurl signs the payload hash given in this header; an upload is sent unsigned.
    const std::string payload_hash =
        "x-amz-content-sha256: " + (upload ? std::string("UNSIGNED-PAYLOAD") : sha256_hex(body));
    curl_slist* headers = curl_slist_append(nullptr, payload_hash.c_str());
    if (upload) headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    curl_easy_setopt(h, CURLOPT_URL, u.c_str());
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, cfg_.accesskey.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, cfg_.secretkey.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort after 60 s without progress
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    if (cfg_.skip_verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    if (upload) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &t);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload_size));
    } else if (method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
        return Error(ErrorKind::Unreachable,
                     "S3 " + method + " " + u + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

Status S3Client::ensure_bucket() {
    auto head = request("HEAD", cfg_.bucket, "", nullptr, 0, nullptr, nullptr);
    if (!head) return head.error();
    if (head->status >= 200 && head->status < 300) return ok_status();
    if (head->status != 404) return s3_error("check of bucket " + cfg_.bucket, head->status, "");
    std::string body;
    if (!cfg_.region.empty() && cfg_.region != "us-east-1")
        body = "<CreateBucketConfiguration><LocationConstraint>" + cfg_.region +
               "</LocationConstraint></CreateBucketConfiguration>";
    auto put = request("PUT", cfg_.bucket, body, nullptr, 0, nullptr, nullptr);
    if (!put) return put.error();
    // Created meanwhile by another client: fine.
    if ((put->status >= 200 && put->status < 300) ||
        xml_field(put->body, "Code") == "BucketAlreadyOwnedByYou")
        return ok_status();
    return s3_error("creation of bucket " + cfg_.bucket, put->status, put->body);
}

Status S3Client::put_file(const std::string& key, const std::string& path,
                          const Progress& progress) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return bad_request("cannot read " + path);
    struct stat st {};
    fstat(fileno(f), &st);
    auto r = request("PUT", cfg_.bucket + "/" + key, "", f, st.st_size, nullptr, &progress);
    std::fclose(f);
    if (!r) return r.error();
    if (r->status < 200 || r->status >= 300)
        return s3_error("upload of " + path, r->status, r->body);
    return ok_status();
}

Status S3Client::get_file(const std::string& key, const std::string& path,
                          const Progress& progress) {
    const std::string part = path + ".cfs-part";
    FILE* f = std::fopen(part.c_str(), "wb");
    if (!f) return bad_request("cannot write " + part);
    auto r = request("GET", cfg_.bucket + "/" + key, "", nullptr, 0, f, &progress);
    const bool closed = std::fclose(f) == 0;
    if (!r || r->status < 200 || r->status >= 300 || !closed) {
        std::remove(part.c_str());
        if (!r) return r.error();
        if (!closed) return bad_request("cannot write " + part);
        return s3_error("download of " + key, r->status, r->body);
    }
    if (std::rename(part.c_str(), path.c_str()) != 0) {
        std::remove(part.c_str());
        return bad_request("cannot write " + path);
    }
    return ok_status();
}

Status S3Client::remove(const std::string& key) {
    auto r = request("DELETE", cfg_.bucket + "/" + key, "", nullptr, 0, nullptr, nullptr);
    if (!r) return r.error();
    if ((r->status >= 200 && r->status < 300) || r->status == 404) return ok_status();
    return s3_error("removal of " + key, r->status, r->body);
}

Result<bool> S3Client::exists(const std::string& key) {
    auto r = request("HEAD", cfg_.bucket + "/" + key, "", nullptr, 0, nullptr, nullptr);
    if (!r) return r.error();
    if (r->status == 404) return false;
    if (r->status >= 200 && r->status < 300) return true;
    return s3_error("check of " + key, r->status, "");
}

}  // namespace colonies::fs
