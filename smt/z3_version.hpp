#pragma once
// What Z3 this build links, for `teardown --version` and bug reports.

#include <string>

namespace smt {

/// "major.minor.build.revision" of the linked Z3 library.
std::string z3_version();

}  // namespace smt
