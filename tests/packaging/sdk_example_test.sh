#!/usr/bin/env bash
# The C++ SDK as a user gets it: install the sdk component into a fresh prefix, build
# examples/sdk against it with find_package(ColoniesSDK) and again with pkg-config, and run both
# against a `colonies dev` server (docs/sdk-cpp.md).
#   sdk_example_test.sh <build dir> <source dir>
build=$(realpath "$1")
src=$(realpath "$2")
. "$src/tests/packaging/lib.sh"
cmake=${CMAKE_COMMAND:-cmake}

# The public headers name only the standard library.
if grep -rnE '#include +[<"](boost|core|client|crypto|rpc)/' "$src/include"; then
    fail "include/colonies/ includes a header that is not installed or not standard"
fi

prefix=$work/prefix
"$cmake" --install "$build" --component sdk --prefix "$prefix" > "$work/install.log"
for f in include/colonies/sdk.hpp lib/libcolonies-sdk.so lib/cmake/ColoniesSDK/ColoniesSDKConfig.cmake \
    lib/pkgconfig/colonies-sdk.pc; do
    [ -e "$prefix/$f" ] || fail "the sdk component did not install $f"
done
if nm -D --defined-only "$prefix/lib/libcolonies-sdk.so" | c++filt | grep -v ' colonies::sdk::' |
    grep -E ' [TWVDBR] '; then
    fail "libcolonies-sdk.so exports symbols outside colonies::sdk"
fi

# find_package(ColoniesSDK): a project of its own, which sees only the installed prefix.
"$cmake" -S "$src/examples/sdk" -B "$work/cmake-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log" ||
    { cat "$work/configure.log"; fail "configuring examples/sdk against the installed SDK"; }
"$cmake" --build "$work/cmake-build" > "$work/build.log" ||
    { cat "$work/build.log"; fail "building examples/sdk against the installed SDK"; }

# pkg-config.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# shellcheck disable=SC2046 # word splitting of the flags is meant
c++ -std=c++17 -O1 -o "$work/sdk_example_pc" "$src/examples/sdk/main.cpp" $(pkg-config --cflags --libs colonies-sdk) \
    -Wl,-rpath,"$prefix/lib" || fail "building examples/sdk with pkg-config"

port=$(free_port)
"$build/src/cli/colonies" dev --datadir "$work/dev" --port "$port" > "$work/dev.out" 2> "$work/dev.err" &
server_pid=$!
wait_healthy "$port"
for _ in $(seq 50); do grep -q COLONIES_PRVKEY "$work/dev.out" && break; sleep 0.1; done
eval "$(grep '^export COLONIES_' "$work/dev.out")"
[ "$COLONIES_SERVER_PORT" = "$port" ] || fail "colonies dev printed port $COLONIES_SERVER_PORT"

for exe in "$work/cmake-build/sdk_example" "$work/sdk_example_pc"; do
    "$exe" > "$work/example.out" 2>&1 || { cat "$work/example.out"; fail "$exe failed"; }
    cat "$work/example.out"
    grep -q '^process [0-9a-f]\{64\} successful, output: hello, world$' "$work/example.out" ||
        fail "$exe did not report its process"
done
echo "sdk example test: ok"
