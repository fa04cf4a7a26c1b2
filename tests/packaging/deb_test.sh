#!/usr/bin/env bash
# The Debian packages of this build directory (docs/operations.md): the split debug information,
# what cpack puts in the packages, the unit (systemd-analyze), the installed binary, and the
# package's life in a throw-away root: install (user created, nothing enabled), the server
# started as the unit starts it, purge (state and user gone). systemd itself does not run in
# the test container, so "start" runs the unit's ExecStart line with its environment file, and
# the user and systemd tools the maintainer scripts call are stubs that record their calls.
#   deb_test.sh <build dir> <source dir>
build=$(realpath "$1")
src=$(realpath "$2")
. "$src/tests/packaging/lib.sh"
cpack=${CPACK_COMMAND:-cpack}
max_binary=$((16 * 1024 * 1024))
size() { stat -c %s "$1"; }

# ---- the packages (the 60 MB debug package is left out: it is colonies.debug as checked) ----
(cd "$build" && COLONIES_CPACK_COMPONENTS="server;sdk" "$cpack" -G DEB -B "$work/packages") \
    > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(echo "$work"/packages/colonies_*_amd64.deb)
sdkdeb=$(echo "$work"/packages/libcolonies-sdk-dev_*_amd64.deb)
[ -f "$deb" ] && [ -f "$sdkdeb" ] || fail "cpack did not make both packages: $(ls "$work/packages")"
echo "packages: $(basename "$deb") $(size "$deb") bytes, $(basename "$sdkdeb") $(size "$sdkdeb")"

# ---- split debug information (made by the install cpack ran) ----
full=$build/src/cli/colonies
stripped=$build/packaging/colonies
debug=$build/packaging/colonies.debug
echo "colonies: linked $(size "$full") bytes, shipped $(size "$stripped"), debug file $(size "$debug")"
[ "$(size "$stripped")" -lt "$max_binary" ] || fail "the shipped binary is not small"
readelf -S "$stripped" | grep -q '\.debug_info' && fail "the shipped binary has debug information"
readelf -S "$debug" 2> /dev/null | grep -q '\.debug_info' || fail "colonies.debug has no debug information"
readelf -p .gnu_debuglink "$stripped" | grep -q 'colonies\.debug' ||
    fail "the shipped binary does not name colonies.debug"
build_id() { readelf -n "$1" 2> /dev/null | sed -n 's/.*Build ID: //p'; }
[ -n "$(build_id "$full")" ] && [ "$(build_id "$stripped")" = "$(build_id "$debug")" ] ||
    fail "the shipped binary and colonies.debug have different build ids"

dpkg-deb -I "$deb" > "$work/info"
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$deb" Package)" = colonies ] || fail "package name"
depends=$(field "$deb" Depends)
for dep in adduser libc6 libssl3 libsqlite3-0 libpq5 libboost-json1.81.0 libsecp256k1-1; do
    grep -q "\(^\|, \)$dep\( \|,\|$\)" <<< "$depends" || fail "Depends lacks $dep: $depends"
done
for script in postinst prerm postrm conffiles; do
    grep -q " $script" "$work/info" || fail "the package has no $script"
done
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/colonies/colonies.env ] ||
    fail "conffiles is not the environment file"
grep -q 'libstdc++6' <<< "$(field "$sdkdeb" Depends)" || fail "the SDK package has no Depends"
dpkg-deb --ctrl-tarfile "$sdkdeb" | tar -xO ./shlibs | grep -qx 'libcolonies-sdk 0 libcolonies-sdk-dev (>= 0.1.0)' ||
    fail "the SDK package's shlibs"
dpkg-deb --ctrl-tarfile "$sdkdeb" | tar -xO ./postinst | grep -q 'ldconfig' ||
    fail "the SDK package does not run ldconfig"

dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort > "$work/files"
printf '%s\n' ./etc/colonies/colonies.env ./usr/bin/colonies \
    ./usr/lib/systemd/system/colonies.service ./usr/share/man/man1/colonies.1.gz > "$work/expected"
diff -u "$work/expected" "$work/files" || fail "the package's files"
dpkg-deb -c "$sdkdeb" | awk '{print $6}' | grep -v '/$' | sort > "$work/sdkfiles"
for f in ./usr/include/colonies/sdk.hpp ./usr/lib/libcolonies-sdk.so.0 \
    ./usr/lib/cmake/ColoniesSDK/ColoniesSDKConfig.cmake ./usr/lib/pkgconfig/colonies-sdk.pc; do
    grep -qx "$f" "$work/sdkfiles" || fail "the SDK package lacks $f"
done

# ---- the unit and the binary, unpacked ----
x=$work/x
dpkg-deb -x "$deb" "$x"
cmp -s "$x/usr/bin/colonies" "$stripped" || fail "the package's binary is not the stripped one"
"$x/usr/bin/colonies" version > "$work/version" || fail "the installed binary does not run"
grep -q "CLI version.*$(field "$deb" Version)" "$work/version" ||
    fail "colonies version: $(cat "$work/version")"
unit=$x/usr/lib/systemd/system/colonies.service
for line in 'User=colonies' 'EnvironmentFile=/etc/colonies/colonies.env' \
    'ExecStart=/usr/bin/colonies server start --initdb --datadir /var/lib/colonies' \
    'StateDirectory=colonies' 'ProtectSystem=strict' 'NoNewPrivileges=true' 'PrivateTmp=true'; do
    grep -qx "$line" "$unit" || fail "colonies.service lacks $line"
done
# verify needs the targets the unit's default dependencies name; it warns (exit 0) about unknown
# or malformed settings, so any output fails.
cp /lib/systemd/system/*.target "$x/usr/lib/systemd/system/"
MANPATH=$x/usr/share/man systemd-analyze verify --root="$x" "$unit" > "$work/verify" 2>&1 ||
    { cat "$work/verify"; fail "systemd-analyze verify"; }
[ ! -s "$work/verify" ] || { cat "$work/verify"; fail "systemd-analyze verify warned"; }
exposure=$(systemd-analyze security --offline=true --root="$x" colonies.service 2>&1 |
    sed -n 's/.*Overall exposure level for colonies.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security: exposure $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' || fail "exposure $exposure > 2.0"

# ---- install, start, purge in a throw-away root ----
if [ "$(id -u)" != 0 ]; then
    echo "not root: the install into a throw-away root is skipped"
    echo "deb test: ok"
    exit 0
fi
stubs=$work/stubs
mkdir -p "$stubs"
: > "$work/calls" && : > "$work/users"
stub() { printf '#!/bin/sh\necho "%s $*" >> %s\n%s\n' "$1" "$work/calls" "$2" > "$stubs/$1"; chmod +x "$stubs/$1"; }
stub getent "[ \"\$1\" = passwd ] || [ \"\$1\" = group ] || exit 2; grep -qx \"\$2\" $work/users || exit 2; echo \"\$2:x:999:999::/var/lib/colonies:/usr/sbin/nologin\""
stub adduser "for a; do u=\$a; done; echo \"\$u\" >> $work/users"
stub deluser "for a; do u=\$a; done; sed -i \"/^\$u\$/d\" $work/users"
stub delgroup ":"
stub chown ":"
stub deb-systemd-helper "[ \"\$1\" = --quiet ] && [ \"\$2\" = was-enabled ] && exit 1; exit 0"
stub deb-systemd-invoke ":"
stub systemctl ":"
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
: > "$root/var/lib/dpkg/status" && : > "$root/var/lib/dpkg/available"
dpkg_root() {
    PATH=$stubs:$PATH dpkg --root="$root" --force-script-chrootless --force-depends \
        --log=/dev/null "$@"
}
dpkg_root -i "$deb" > "$work/dpkg-install" 2>&1 || { cat "$work/dpkg-install"; fail "dpkg -i"; }
status() { dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Status}' colonies 2>&1; }
[ "$(status)" = installed ] || fail "after dpkg -i: $(status)"
grep -qx 'adduser --system --group --quiet --home /var/lib/colonies --no-create-home --gecos Colonies server colonies' \
    "$work/calls" || fail "postinst did not create the user: $(cat "$work/calls")"
grep -qx 'chown root:colonies '"$root"'/etc/colonies/colonies.env' "$work/calls" ||
    fail "postinst did not give the environment file to the group"
[ "$(stat -c %a "$root/etc/colonies/colonies.env")" = 640 ] || fail "colonies.env is not 0640"
grep -qx 'deb-systemd-helper update-state colonies.service' "$work/calls" ||
    fail "postinst did not record the unit"
if grep -E 'helper enable|invoke (start|restart)|systemctl (enable|start)' "$work/calls"; then
    fail "installing enabled or started something"
fi
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Conffiles}' colonies |
    grep -q '/etc/colonies/colonies.env' || fail "the environment file is not a conffile"

# Start it as the unit does: the environment file, then the ExecStart line (paths in the root,
# a free port, and the server owner an operator would write into the file).
port=$(free_port)
execstart=$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/colonies.service")
execstart=${execstart//\/usr\/bin\//$root/usr/bin/}
execstart=${execstart//\/var\/lib\/colonies/$root/var/lib/colonies}
mkdir -p "$root/var/lib/colonies"
(
    set -a
    . "$root/etc/colonies/colonies.env"
    COLONIES_SERVER_ID=039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103
    COLONIES_SERVER_PORT=$port
    # shellcheck disable=SC2086 # the command line is split as systemd splits it
    exec $execstart > "$work/server.log" 2>&1
) &
server_pid=$!
wait_healthy "$port"
"$root/usr/bin/colonies" server version --insecure --host 127.0.0.1 --port "$port" \
    > "$work/status" 2>&1 || { cat "$work/status"; fail "server version against the started server"; }
[ -s "$root/var/lib/colonies/colonies.db" ] ||
    fail "the server keeps no database in the state directory: $(ls -la "$root/var/lib/colonies")"
kill -TERM "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM: $(cat "$work/server.log")"
server_pid=

# Reinstalling (as an upgrade does) keeps the operator's settings and the database.
echo 'COLONIES_RETENTION=true' >> "$root/etc/colonies/colonies.env"
dpkg_root -i "$deb" > "$work/dpkg-reinstall" 2>&1 || { cat "$work/dpkg-reinstall"; fail "reinstall"; }
grep -qx 'COLONIES_RETENTION=true' "$root/etc/colonies/colonies.env" ||
    fail "reinstalling lost the operator's edit of colonies.env"
[ -s "$root/var/lib/colonies/colonies.db" ] || fail "reinstalling lost the database"
[ "$(grep -c '^adduser' "$work/calls")" = 1 ] || fail "reinstalling made the user again"

dpkg_root --purge colonies > "$work/dpkg-purge" 2>&1 || { cat "$work/dpkg-purge"; fail "dpkg --purge"; }
after=$(status || true)
[ "$after" = not-installed ] || grep -q 'no packages found' <<< "$after" || fail "after purge: $after"
for gone in usr/bin/colonies etc/colonies var/lib/colonies; do
    [ ! -e "$root/$gone" ] || fail "purge left /$gone"
done
grep -qx 'deluser --system --quiet colonies' "$work/calls" || fail "purge did not remove the user"
grep -qx 'deb-systemd-helper purge colonies.service' "$work/calls" || fail "purge kept the unit state"
[ ! -s "$work/users" ] || fail "the user is still there"
echo "deb test: ok"
