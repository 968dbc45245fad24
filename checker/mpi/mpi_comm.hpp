#pragma once
// The Comm (checker/comm.hpp) of a run under mpirun: Open MPI over MPI_COMM_WORLD. The only code that includes
// <mpi.h>; its own CMake target (checker_mpi), built when Open MPI is found.
//
// Threads: MPI is initialised at MPI_THREAD_SERIALIZED; the distributed search calls the Comm from one thread at
// a time (its first thread, or the thread that ends a level), never from two at once.
// Sends are MPI_Isend with the bytes kept until MPI_Test says they are gone; poll() is MPI_Iprobe + MPI_Recv;
// the collectives are MPI's own. A rank that dies ends the job: Open MPI's runtime kills the other ranks and
// mpirun reports which one died, so no rank waits for it forever.

#include <deque>
#include <memory>

#include "checker/comm.hpp"

namespace checker {

class MpiComm final : public Comm {
 public:
  /// Initialises MPI. \throws std::runtime_error when MPI cannot give serialized threads. \pre one per process.
  MpiComm(int& argc, char**& argv);
  /// Waits for the sends still in flight, then finalises MPI.
  ~MpiComm() override;
  MpiComm(const MpiComm&) = delete;
  MpiComm& operator=(const MpiComm&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int ranks_here() const override { return here_; }
  void send(int to, Bytes bytes) override;
  std::optional<Message> poll() override;
  Message receive() override;
  std::vector<std::uint64_t> all_reduce(std::vector<std::uint64_t> values, Op op) override;
  void broadcast(Bytes& bytes, int root) override;
  std::vector<Bytes> gather(const Bytes& bytes) override;
  void barrier() override;
  [[noreturn]] void abort(int code) override;

 private:
  struct Pending;  // a send in flight and its bytes
  void reap();     // drops the sends that have completed
  int rank_ = 0;
  int size_ = 1;
  int here_ = 1;
  std::deque<std::unique_ptr<Pending>> in_flight_;
};

}  // namespace checker
