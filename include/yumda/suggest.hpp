// "Did you mean": the candidates closest to a mistyped word, for unknown
// verbs and package names.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace yumda {

// Edit distance with adjacent transpositions counted as one edit ("gti" is 1
// from "git"), case-sensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidates within a typo's reach of WORD (1 edit for up to 5
// characters, 2 up to 8, else 3), closest first, then alphabetically; at most
// LIMIT, without duplicates and without WORD itself.
std::vector<std::string> closest_words(std::string_view word, const std::vector<std::string>& candidates,
                                       size_t limit = 5);

}  // namespace yumda
