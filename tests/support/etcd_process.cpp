#include "etcd_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

namespace colonies::testsupport {

std::string http_get_loopback(int port, const std::string& path) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            for (;;) {
                ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n <= 0) break;
                out.append(buf, static_cast<size_t>(n));
            }
        }
    }
    ::close(fd);
    return out;
}

EtcdProcess::EtcdProcess() {
    dir_ = make_temp_dir("colonies-etcd");
    const std::string log = dir_ + "/etcd.log";
    for (int attempt = 1;; ++attempt) {
        client_port_ = pick_free_port();
        const int peer = pick_free_port();
        const std::string client_url = "http://127.0.0.1:" + std::to_string(client_port_);
        const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
        etcd_.start({"/usr/bin/etcd", "--name", "test", "--data-dir", dir_ + "/data",
                     "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
                     "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                     "--initial-cluster", "test=" + peer_url, "--initial-cluster-state", "new",
                     "--log-level", "warn"},
                    log, {}, "", SIGTERM);
        bool up = wait_until(etcd_, std::chrono::seconds(30), [&] {
            return http_get_loopback(client_port_, "/health").find("\"health\":\"true\"") !=
                   std::string::npos;
        });
        if (up) return;
        etcd_.stop(SIGTERM);
        if (attempt == 3) {
            std::string text = read_file(log);
            if (text.size() > 3000) text = "..." + text.substr(text.size() - 3000);
            remove_tree(dir_);
            throw std::runtime_error("etcd did not start: " + text);
        }
    }
}

EtcdProcess::~EtcdProcess() {
    etcd_.stop(SIGTERM, std::chrono::seconds(10));
    remove_tree(dir_);
}

}  // namespace colonies::testsupport
