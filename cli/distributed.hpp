#pragma once
// Running under mpirun: `mpirun -np N teardown check|reach|sweep ...` searches with N ranks (checker/distributed.hpp
// over checker/mpi). Every rank parses the same command line and runs the same command; rank 0 alone writes:
// the other ranks' standard output and error go to /dev/null (an internal error of theirs still reaches the
// terminal), and they write no file. Other commands, and options whose search is a one-process search
// (--search dfs, --store hash, --minimize faults, --all-shortest), are refused with exit 2.

#include <memory>
#include <string>
#include <vector>

#include "checker/comm.hpp"
#include "checker/distributed.hpp"

namespace cli {

/// The ranks of this run: an MPI communicator when started by mpirun (and built with Open MPI), else none.
/// Silences the output of ranks other than 0. \throws std::runtime_error when started by mpirun but built
/// without MPI. \pre called once, before anything is printed.
std::unique_ptr<checker::Comm> start_ranks(int& argc, char**& argv);

/// The ranks start_ranks() started (none before, or when not under mpirun): what search_options() hands every
/// search of check, reach and sweep.
checker::Comm* ranks();

/// Whether output belongs to this process: no ranks, or rank 0.
bool writes_output();

/// Whether this run has more than one rank.
bool distributed();

/// Under more than one rank: throws UsageError unless the command line's command is check, reach or sweep.
void require_distributable_command(int argc, char** argv);

/// Prints an internal error where the user sees it, even on a rank whose output is silenced.
void print_internal_error(const std::string& what);

/// Per-rank statistics as a JSON array, and as text lines (one per rank, each ending in a newline).
std::string ranks_json(const std::vector<checker::RankStats>& ranks);
std::string ranks_text(const std::vector<checker::RankStats>& ranks);

}  // namespace cli
