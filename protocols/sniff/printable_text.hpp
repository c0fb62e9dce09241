// Display text from untrusted job data.
//
// User names and titles reach Quire from places nobody vouches for: a PJL
// header a driver wrote, a PostScript %%Title comment, the lines of an LPD
// control file (RFC 1179 section 7). Before such a value is stored, logged or
// shown in the web UI it becomes "printable text": valid UTF-8 without
// control characters, without leading or trailing white space, and no longer
// than a cap. The encoding of these values is rarely declared (Windows
// drivers often write the ANSI code page), so bytes that are not valid UTF-8
// are replaced by U+FFFD rather than guessed at.
//
// Pure: std only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace quire::sniff {

/// The longest value (in bytes) Quire keeps for a user or job name.
inline constexpr size_t max_text_bytes = 255;

/// `raw` as printable text: tabs become spaces, other control bytes (C0, DEL,
/// C1) are dropped, invalid UTF-8 bytes become U+FFFD, white space is trimmed
/// and the result is cut at a character boundary to at most `max_bytes`.
std::string printable_text(std::string_view raw, size_t max_bytes = max_text_bytes);

/// True if `s` is valid UTF-8 (an empty string is). With `allow_cut_tail`, a
/// sequence cut short by the end of `s` is tolerated (a truncated window).
bool valid_utf8(std::string_view s, bool allow_cut_tail = false) noexcept;

}  // namespace quire::sniff
