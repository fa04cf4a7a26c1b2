// Go's spellings of a few small grammars, for inputs and error texts that must read exactly as the
// reference server's (which is written in Go): quoted strings (strconv.Quote), integers
// (strconv.Atoi) and durations (time.ParseDuration). Pure, no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace colonies {

// "a\"b\n" for a"b<newline>: Go's double-quoted form. Invalid UTF-8 bytes become \xNN.
std::string go_quote(std::string_view s);

// A value, or Go's error text for it (e.g. `strconv.Atoi: parsing "x": invalid syntax`).
using GoParsed = std::variant<int64_t, std::string>;

// strconv.Atoi on a 64-bit platform: optional sign, decimal digits only.
GoParsed go_atoi(std::string_view s);

// time.ParseDuration: "1h30m", "1.5h", "-300ms", "0"; units ns us µs μs ms s m h. The value is in
// nanoseconds; errors are Go's ("time: invalid duration \"x\"", "time: missing unit in
// duration ...", "time: unknown unit ...").
GoParsed go_parse_duration(std::string_view s);

}  // namespace colonies
