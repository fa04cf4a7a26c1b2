#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>

namespace colonies::bench {

double Latencies::percentile_ms(double q) {
    if (ns_.empty()) return 0;
    if (!sorted_) {
        std::sort(ns_.begin(), ns_.end());
        sorted_ = true;
    }
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(ns_.size())));
    rank = std::clamp<size_t>(rank, 1, ns_.size());
    return static_cast<double>(ns_[rank - 1]) / 1e6;
}

double Latencies::mean_ms() const {
    if (ns_.empty()) return 0;
    long double sum = 0;
    for (auto v : ns_) sum += v;
    return static_cast<double>(sum / ns_.size() / 1e6);
}

void Latencies::put(boost::json::object& out, const std::string& prefix, bool with_p999) {
    out[prefix + "p50_ms"] = round3(percentile_ms(0.50));
    out[prefix + "p99_ms"] = round3(percentile_ms(0.99));
    if (with_p999) out[prefix + "p999_ms"] = round3(percentile_ms(0.999));
    out[prefix + "max_ms"] = round3(percentile_ms(1.0));
}

double round3(double x) {
    return std::round(x * 1000.0) / 1000.0;
}

namespace {

// Boost.JSON prints every double in exponent form (9.12853E2); figures read better as 912.853.
void write(std::ostream& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            out << '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out << ',';
                first = false;
                out << boost::json::serialize(boost::json::value(kv.key())) << ':';
                write(out, kv.value());
            }
            out << '}';
            break;
        }
        case boost::json::kind::array: {
            out << '[';
            bool first = true;
            for (const auto& x : v.get_array()) {
                if (!first) out << ',';
                first = false;
                write(out, x);
            }
            out << ']';
            break;
        }
        case boost::json::kind::double_: {
            const double d = v.get_double();
            if (!std::isfinite(d)) {
                out << "null";
                break;
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.3f", d);
            std::string text(buf);
            while (text.back() == '0') text.pop_back();
            if (text.back() == '.') text.pop_back();
            out << text;
            break;
        }
        default:
            out << boost::json::serialize(v);
    }
}

}  // namespace

std::string to_line(const boost::json::value& v) {
    std::ostringstream out;
    write(out, v);
    return out.str();
}

void emit(const boost::json::object& o) {
    std::cout << to_line(o) << std::endl;
}

void log(const std::string& line) {
    static std::mutex mu;  // lines from worker threads must not interleave
    std::lock_guard lock(mu);
    std::cerr << "[load] " << line << std::endl;
}

}  // namespace colonies::bench
