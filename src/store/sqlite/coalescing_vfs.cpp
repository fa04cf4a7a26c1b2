#include "store/sqlite/coalescing_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace colonies::store {

namespace {

constexpr const char* kName = "colonies-coalescing";
// Past this many gathered bytes the log is written out without waiting for the sync (a large
// transaction must not hold its whole log in memory).
constexpr size_t kMaxGathered = 4u << 20;
// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks larger sizes and then reports
// the short write as a full disk), so every write goes out in pieces of this size.
constexpr size_t kMaxWrite = 124u << 10;

std::atomic<uint64_t> skipped_syncs{0};

// A WAL frame header: page number, then (for the frame that commits a transaction) the database
// size in pages after the commit, else zero; salts and checksums.
constexpr int kFrameHeader = 24;
bool commit_frame_header(const char* h) {
    return (h[4] | h[5] | h[6] | h[7]) != 0;
}

// How far the syncs of one log file have kept up with the changes made to it, shared by every
// handle the process has open on the file (the writer's and the checkpointer's connections): a
// sync through any handle covers what reached the file before it started.
struct SyncState {
    // Writes, truncations and file controls that reached the file, counted once done. It starts
    // at 1 so that the first sync after opening is never skipped.
    std::atomic<uint64_t> changes{1};
    std::atomic<uint64_t> synced{0};  // `changes` as read before the last sync that succeeded
};

std::mutex sync_states_mu;
std::unordered_map<std::string, std::weak_ptr<SyncState>> sync_states;  // by file name

std::shared_ptr<SyncState> sync_state_of(const std::string& name) {
    std::lock_guard lk(sync_states_mu);
    std::erase_if(sync_states, [](const auto& kv) { return kv.second.expired(); });
    auto& slot = sync_states[name];
    auto state = slot.lock();
    if (!state) slot = state = std::make_shared<SyncState>();
    return state;
}

// Writes to a WAL file not yet handed to the operating system: one contiguous byte range.
struct Gathered {
    sqlite3_int64 start = 0;
    std::vector<char> bytes;
    std::shared_ptr<SyncState> sync;
    bool commit_page_next = false;  // the last write was a commit frame's header

    sqlite3_int64 end() const { return start + static_cast<sqlite3_int64>(bytes.size()); }
};

struct ShimFile {
    sqlite3_file base;  // must come first: SQLite sees this
    sqlite3_io_methods methods;
    sqlite3_file* real;  // the default VFS's file, stored right after this struct
    Gathered* gathered;  // WAL files only
};

sqlite3_vfs* real_vfs(sqlite3_vfs* shim) {
    return static_cast<sqlite3_vfs*>(shim->pAppData);
}
ShimFile* shim_of(sqlite3_file* f) {
    return reinterpret_cast<ShimFile*>(f);
}
sqlite3_file* real_of(sqlite3_file* f) {
    return shim_of(f)->real;
}

// After a change reached a log file (never before: a sync that starts in between must not be
// taken to cover it).
void note_change(sqlite3_file* f) {
    if (Gathered* g = shim_of(f)->gathered)
        g->sync->changes.fetch_add(1, std::memory_order_acq_rel);
}

// One write to the real file, cut into pieces the unix VFS takes.
int write_in_pieces(sqlite3_file* real, const char* bytes, sqlite3_int64 n, sqlite3_int64 offset) {
    int rc = SQLITE_OK;
    for (sqlite3_int64 done = 0; done < n && rc == SQLITE_OK;
         done += static_cast<sqlite3_int64>(kMaxWrite)) {
        const auto piece = std::min(static_cast<sqlite3_int64>(kMaxWrite), n - done);
        rc = real->pMethods->xWrite(real, bytes + done, static_cast<int>(piece), offset + done);
    }
    return rc;
}

// Hands the gathered bytes to the real file in one write. The gathered bytes are dropped either
// way: after a failed write SQLite abandons the transaction that wrote them.
int flush(sqlite3_file* f) {
    Gathered* g = shim_of(f)->gathered;
    if (!g || g->bytes.empty()) return SQLITE_OK;
    sqlite3_file* real = real_of(f);
    const int rc = write_in_pieces(real, g->bytes.data(),
                                   static_cast<sqlite3_int64>(g->bytes.size()), g->start);
    note_change(f);
    g->bytes.clear();
    return rc;
}

int x_close(sqlite3_file* f) {
    const int flushed = flush(f);
    sqlite3_file* real = real_of(f);
    const int closed = real->pMethods->xClose(real);
    delete shim_of(f)->gathered;
    shim_of(f)->gathered = nullptr;
    return flushed != SQLITE_OK ? flushed : closed;
}

int x_read(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    sqlite3_file* real = real_of(f);
    return real->pMethods->xRead(real, out, n, offset);
}

int x_write(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
    Gathered* g = shim_of(f)->gathered;
    sqlite3_file* real = real_of(f);
    const char* bytes = static_cast<const char*>(data);
    // In pieces too: a spilled savepoint journal writes its memory chunks whole.
    if (!g) return write_in_pieces(real, bytes, n, offset);
    try {
        if (!g->bytes.empty() && offset >= g->start && offset + n <= g->end()) {
            // SQLite rewrites a frame of the open transaction in place (checksum rewrite).
            std::memcpy(g->bytes.data() + (offset - g->start), bytes, static_cast<size_t>(n));
            return SQLITE_OK;
        }
        if (!g->bytes.empty() && offset != g->end()) {
            if (int rc = flush(f); rc != SQLITE_OK) return rc;
        }
        if (g->bytes.empty()) g->start = offset;
        g->bytes.insert(g->bytes.end(), bytes, bytes + n);
        // A commit frame's header comes before the commit's last page. Once that page is here
        // the commit is whole and the WAL index tells the process's other connections (the
        // checkpointer) to read it, so it goes to the file now even when no sync follows
        // (synchronous below FULL; at FULL the sync comes next anyway).
        const bool commit_whole = g->commit_page_next;
        g->commit_page_next = n == kFrameHeader && commit_frame_header(bytes);
        if (commit_whole) return flush(f);
    } catch (const std::bad_alloc&) {
        if (int rc = flush(f); rc != SQLITE_OK) return rc;
        const int rc = real->pMethods->xWrite(real, data, n, offset);
        note_change(f);
        return rc;
    }
    if (g->bytes.size() >= kMaxGathered) return flush(f);
    return SQLITE_OK;
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    sqlite3_file* real = real_of(f);
    const int rc = real->pMethods->xTruncate(real, size);
    note_change(f);
    return rc;
}

int x_sync(sqlite3_file* f, int flags) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    Gathered* g = shim_of(f)->gathered;
    // A checkpoint syncs the log before copying it into the database, but with synchronous=FULL
    // the commit that wrote its last bytes synced it already: with nothing changed since, this
    // sync would be a device flush (milliseconds on a busy disk) that changes nothing.
    const uint64_t changes = g ? g->sync->changes.load(std::memory_order_acquire) : 0;
    if (g && g->sync->synced.load(std::memory_order_acquire) == changes) {
        skipped_syncs.fetch_add(1, std::memory_order_relaxed);
        return SQLITE_OK;
    }
    sqlite3_file* real = real_of(f);
    const int rc = real->pMethods->xSync(real, flags);
    if (rc == SQLITE_OK && g) {
        uint64_t seen = g->sync->synced.load(std::memory_order_acquire);
        while (seen < changes && !g->sync->synced.compare_exchange_weak(seen, changes)) {
        }
    }
    return rc;
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    sqlite3_file* real = real_of(f);
    return real->pMethods->xFileSize(real, size);
}

int x_lock(sqlite3_file* f, int level) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xLock(real, level);
}

int x_unlock(sqlite3_file* f, int level) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xUnlock(real, level);
}

int x_check_reserved_lock(sqlite3_file* f, int* out) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xCheckReservedLock(real, out);
}

int x_file_control(sqlite3_file* f, int op, void* arg) {
    // Some controls look at or change the file (size hints, persistence): they see it whole, and
    // count as a change (the next sync is not skipped).
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    sqlite3_file* real = real_of(f);
    const int rc = real->pMethods->xFileControl(real, op, arg);
    note_change(f);
    return rc;
}

int x_sector_size(sqlite3_file* f) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xSectorSize(real);
}

int x_device_characteristics(sqlite3_file* f) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xDeviceCharacteristics(real);
}

int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xShmMap(real, region, size, extend, out);
}

int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xShmLock(real, offset, n, flags);
}

void x_shm_barrier(sqlite3_file* f) {
    sqlite3_file* real = real_of(f);
    real->pMethods->xShmBarrier(real);
}

int x_shm_unmap(sqlite3_file* f, int delete_flag) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xShmUnmap(real, delete_flag);
}

int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    sqlite3_file* real = real_of(f);
    return real->pMethods->xFetch(real, offset, n, out);
}

int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    sqlite3_file* real = real_of(f);
    return real->pMethods->xUnfetch(real, offset, p);
}

constexpr sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    ShimFile* shim = shim_of(file);
    shim->base.pMethods = nullptr;
    shim->gathered = nullptr;
    shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
    sqlite3_vfs* real = real_vfs(vfs);
    const int rc = real->xOpen(real, name, shim->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (shim->real->pMethods) shim->real->pMethods->xClose(shim->real);
        return rc;
    }
    if (flags & SQLITE_OPEN_WAL) {
        try {
            auto g = std::make_unique<Gathered>();
            g->sync = sync_state_of(name ? name : "");
            shim->gathered = g.release();
        } catch (const std::bad_alloc&) {
            shim->real->pMethods->xClose(shim->real);
            return SQLITE_NOMEM;
        }
    }
    shim->methods = kMethods;
    // Offer no more than the real file supports (shared memory, memory mapping).
    shim->methods.iVersion = std::min(shim->real->pMethods->iVersion, kMethods.iVersion);
    shim->base.pMethods = &shim->methods;
    return SQLITE_OK;
}

// Everything but xOpen goes to the real VFS unchanged.
int x_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
    return real_vfs(v)->xDelete(real_vfs(v), name, sync_dir);
}
int x_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    return real_vfs(v)->xAccess(real_vfs(v), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
    return real_vfs(v)->xFullPathname(real_vfs(v), name, n, out);
}
void* x_dl_open(sqlite3_vfs* v, const char* name) {
    return real_vfs(v)->xDlOpen(real_vfs(v), name);
}
void x_dl_error(sqlite3_vfs* v, int n, char* out) {
    real_vfs(v)->xDlError(real_vfs(v), n, out);
}
void (*x_dl_sym(sqlite3_vfs* v, void* handle, const char* symbol))(void) {
    return real_vfs(v)->xDlSym(real_vfs(v), handle, symbol);
}
void x_dl_close(sqlite3_vfs* v, void* handle) {
    real_vfs(v)->xDlClose(real_vfs(v), handle);
}
int x_randomness(sqlite3_vfs* v, int n, char* out) {
    return real_vfs(v)->xRandomness(real_vfs(v), n, out);
}
int x_sleep(sqlite3_vfs* v, int micros) {
    return real_vfs(v)->xSleep(real_vfs(v), micros);
}
int x_current_time(sqlite3_vfs* v, double* out) {
    return real_vfs(v)->xCurrentTime(real_vfs(v), out);
}
int x_get_last_error(sqlite3_vfs* v, int n, char* out) {
    return real_vfs(v)->xGetLastError(real_vfs(v), n, out);
}
int x_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
    return real_vfs(v)->xCurrentTimeInt64(real_vfs(v), out);
}
int x_set_system_call(sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr p) {
    return real_vfs(v)->xSetSystemCall(real_vfs(v), name, p);
}
sqlite3_syscall_ptr x_get_system_call(sqlite3_vfs* v, const char* name) {
    return real_vfs(v)->xGetSystemCall(real_vfs(v), name);
}
const char* x_next_system_call(sqlite3_vfs* v, const char* name) {
    return real_vfs(v)->xNextSystemCall(real_vfs(v), name);
}

sqlite3_vfs shim_vfs;

void register_vfs() {
    // unix-excl: the first connection takes the database file's lock for the whole process and
    // keeps it, so another process (a second server) is refused, no transaction pays a lock system
    // call, and every connection of this process shares the WAL index in memory (no -shm file),
    // which lets a checkpoint run on a connection of its own beside the writer.
    sqlite3_vfs* real = sqlite3_vfs_find("unix-excl");
    if (!real || real->iVersion < 3) throw std::runtime_error("SQLite has no unix-excl VFS");
    sqlite3_vfs v{};
    v.iVersion = 3;
    v.szOsFile = static_cast<int>(sizeof(ShimFile)) + real->szOsFile;
    v.mxPathname = real->mxPathname;
    v.zName = kName;
    v.pAppData = real;
    v.xOpen = x_open;
    v.xDelete = x_delete;
    v.xAccess = x_access;
    v.xFullPathname = x_full_pathname;
    v.xDlOpen = x_dl_open;
    v.xDlError = x_dl_error;
    v.xDlSym = x_dl_sym;
    v.xDlClose = x_dl_close;
    v.xRandomness = x_randomness;
    v.xSleep = x_sleep;
    v.xCurrentTime = x_current_time;
    v.xGetLastError = x_get_last_error;
    v.xCurrentTimeInt64 = x_current_time_int64;
    v.xSetSystemCall = x_set_system_call;
    v.xGetSystemCall = x_get_system_call;
    v.xNextSystemCall = x_next_system_call;
    shim_vfs = v;
    if (sqlite3_vfs_register(&shim_vfs, 0) != SQLITE_OK)
        throw std::runtime_error("cannot register the SQLite VFS");
}

}  // namespace

uint64_t coalescing_vfs_skipped_syncs() {
    return skipped_syncs.load(std::memory_order_relaxed);
}

const char* coalescing_vfs_name() {
    static std::once_flag once;
    std::call_once(once, register_vfs);
    return kName;
}

}  // namespace colonies::store
