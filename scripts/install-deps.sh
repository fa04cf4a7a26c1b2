#!/usr/bin/env bash
# Installs every Debian (bookworm) package the build and the tests need. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# Boost 1.81 only: the 1.74 -dev packages conflict with it (docs/design.md 3).
apt-get install -y --no-install-recommends \
  build-essential cmake ninja-build pkg-config clang-format \
  clang libclang-rt-14-dev \
  libboost1.81-dev libboost-json1.81-dev libssl-dev libsecp256k1-dev libsqlite3-dev \
  libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libpq-dev libmimalloc-dev \
  libhowardhinnant-date-dev \
  libcurl4-openssl-dev \
  libspdlog-dev \
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev \
  libcoap3-dev libcoap3-bin \
  postgresql etcd-server etcd-client \
  openssl python3 python3-requests python3-websocket
# Packaging tests (tests/packaging): systemd-analyze checks colonies.service; dpkg-dev
# (dpkg-shlibdeps, for cpack) and binutils (objcopy, readelf) come with build-essential.
apt-get install -y --no-install-recommends systemd
# Blueprints: YAML files for `colonies blueprint ... --spec`.
apt-get install -y --no-install-recommends libyaml-cpp-dev
# Node and npm: Debian's unless the machine has a Node.js of its own (which brings npm).
command -v npm > /dev/null || apt-get install -y --no-install-recommends nodejs npm
# s3rver, the loopback S3 server of the ColonyFS tests, pinned by tests/support/package-lock.json.
(cd "$(dirname "$0")/../tests/support" && npm ci --no-audit --no-fund)
# The dashboard's browser test (tests/browser/): Debian's Chromium, driven by playwright-core from
# web/package-lock.json (web/node_modules is installed by the build, web/embed.cmake).
apt-get install -y --no-install-recommends chromium
