// The version of the librpm yumda loads (yumda --version). librpm is loaded
// on first use (rpm_lazy.cpp), so asking loads it.
#pragma once
#include <string>

namespace yumda {

std::string rpm_library_version();

}  // namespace yumda
