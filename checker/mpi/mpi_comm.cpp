#include "checker/mpi/mpi_comm.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace checker {

namespace {

constexpr int kTag = 17;  // every batch of the search
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

MPI_Op op_of(Comm::Op op) {
  switch (op) {
    case Comm::Op::Sum:
      return MPI_SUM;
    case Comm::Op::Max:
      return MPI_MAX;
    case Comm::Op::Min:
      return MPI_MIN;
  }
  return MPI_SUM;
}

int count_of(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::length_error("mpi: a message of more than 2 GB");
  return static_cast<int>(bytes);
}

}  // namespace

struct MpiComm::Pending {
  Bytes bytes;
  MPI_Request request = MPI_REQUEST_NULL;
};

MpiComm::MpiComm(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error("mpi: this MPI library does not allow calls from more than one thread");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;  // the ranks that share this machine's memory
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &here_);
  MPI_Comm_free(&node);
}

MpiComm::~MpiComm() {
  for (auto& p : in_flight_) MPI_Wait(&p->request, MPI_STATUS_IGNORE);
  in_flight_.clear();
  MPI_Finalize();
}

void MpiComm::reap() {
  while (!in_flight_.empty()) {
    int done = 0;
    MPI_Test(&in_flight_.front()->request, &done, MPI_STATUS_IGNORE);
    if (done == 0) return;
    in_flight_.pop_front();
  }
}

void MpiComm::send(int to, Bytes bytes) {
  reap();
  stats_.messages_sent += 1;
  stats_.bytes_sent += bytes.size();
  auto p = std::make_unique<Pending>();
  p->bytes = std::move(bytes);
  MPI_Isend(p->bytes.data(), count_of(p->bytes.size()), MPI_BYTE, to, kTag, MPI_COMM_WORLD, &p->request);
  in_flight_.push_back(std::move(p));
}

std::optional<Message> MpiComm::poll() {
  reap();
  int arrived = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &arrived, &status);
  if (arrived == 0) return std::nullopt;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Message m{status.MPI_SOURCE, Bytes(static_cast<std::size_t>(count))};
  MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return m;
}

Message MpiComm::receive() {
  const auto start = Clock::now();
  MPI_Status status;
  // A blocking probe: MPI progresses this rank's own sends meanwhile.
  MPI_Probe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &status);
  stats_.idle_seconds += since(start);
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Message m{status.MPI_SOURCE, Bytes(static_cast<std::size_t>(count))};
  MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return m;
}

std::vector<std::uint64_t> MpiComm::all_reduce(std::vector<std::uint64_t> values, Op op) {
  const auto start = Clock::now();
  std::vector<std::uint64_t> out(values.size());
  MPI_Allreduce(values.data(), out.data(), count_of(values.size()), MPI_UINT64_T, op_of(op), MPI_COMM_WORLD);
  stats_.idle_seconds += since(start);
  return out;
}

void MpiComm::broadcast(Bytes& bytes, int root) {
  const auto start = Clock::now();
  std::uint64_t size = bytes.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
  bytes.resize(size);
  MPI_Bcast(bytes.data(), count_of(bytes.size()), MPI_BYTE, root, MPI_COMM_WORLD);
  stats_.idle_seconds += since(start);
}

std::vector<Bytes> MpiComm::gather(const Bytes& bytes) {
  const auto start = Clock::now();
  const int mine = count_of(bytes.size());
  std::vector<int> sizes(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
  MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(sizes.size());
  std::size_t total = 0;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    offsets[r] = count_of(total);
    total += static_cast<std::size_t>(sizes[r]);
  }
  Bytes all(total);
  MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
  std::vector<Bytes> out;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    const auto* at = all.data() + offsets[r];
    out.emplace_back(at, at + sizes[r]);
  }
  stats_.idle_seconds += since(start);
  return out;
}

void MpiComm::barrier() {
  const auto start = Clock::now();
  MPI_Barrier(MPI_COMM_WORLD);
  stats_.idle_seconds += since(start);
}

void MpiComm::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code == 0 ? 1 : code);
  std::_Exit(code == 0 ? 1 : code);  // MPI_Abort does not return; should it, end this rank anyway
}

}  // namespace checker
