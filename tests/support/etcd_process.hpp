// A single-member etcd (Debian's etcd-server) for tests: its own data directory and free
// loopback client and peer ports; stopped and removed afterwards.
#pragma once
#include <string>

#include "child_process.hpp"

namespace colonies::testsupport {

class EtcdProcess {
  public:
    EtcdProcess();  // throws std::runtime_error (with the log's tail) when it cannot start
    ~EtcdProcess();
    EtcdProcess(const EtcdProcess&) = delete;
    EtcdProcess& operator=(const EtcdProcess&) = delete;

    int client_port() const { return client_port_; }
    std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }

  private:
    std::string dir_;
    int client_port_ = 0;
    ChildProcess etcd_;
};

// A plain HTTP/1.0 GET to 127.0.0.1:port; the whole response (headers and body), "" on failure.
std::string http_get_loopback(int port, const std::string& path);

}  // namespace colonies::testsupport
