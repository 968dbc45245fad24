#include "counterexamples/pcap.hpp"

#include <vector>

#include "counterexamples/timeline.hpp"

namespace counterexamples {

namespace {

constexpr std::uint32_t kLinktypeRaw = 101;
constexpr std::uint32_t kMicrosPerTick = 1000000;

void put16be(std::string& out, std::uint32_t v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
void put32be(std::string& out, std::uint32_t v) {
  put16be(out, v >> 16);
  put16be(out, v & 0xFFFF);
}
void put16le(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32le(std::string& out, std::uint32_t v) {
  put16le(out, v & 0xFFFF);
  put16le(out, v >> 16);
}

/// The Internet checksum (RFC 1071) of `bytes`, starting from the partial sum `sum`.
std::uint16_t checksum(std::string_view bytes, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
    sum += (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 8) |
           static_cast<unsigned char>(bytes[i + 1]);
  if (bytes.size() % 2) sum += static_cast<std::uint32_t>(static_cast<unsigned char>(bytes.back())) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

/// TCP's flag bits for the model's flags.
std::uint32_t tcp_flags(const model::Segment& s) {
  std::uint32_t f = 0;
  if (s.has(model::kFin)) f |= 0x01;
  if (s.has(model::kSyn)) f |= 0x02;
  if (s.has(model::kRst)) f |= 0x04;
  if (s.has(model::kAck)) f |= 0x10;
  return f;
}

/// One IPv4 packet carrying `s` from endpoint `from`.
std::string packet(const model::Segment& s, unsigned from, std::uint16_t id, const PcapOptions& o) {
  const unsigned to = 1 - from;
  std::string tcp;
  put16be(tcp, o.port[from]);
  put16be(tcp, o.port[to]);
  put32be(tcp, s.seq);
  put32be(tcp, s.has(model::kAck) ? s.ack : 0);
  tcp += static_cast<char>(5 << 4);  // data offset: 5 words, no options
  tcp += static_cast<char>(tcp_flags(s));
  put16be(tcp, s.has(model::kRst) ? 0 : o.window);
  put16be(tcp, 0);                      // checksum, filled in below
  put16be(tcp, 0);                      // urgent pointer
  for (unsigned i = 0; i < s.len; ++i)  // the ghost byte of each unit: connection, offset in its stream
    tcp += static_cast<char>((s.incarnation() << 4) | ((s.offset() + i) & 0x0F));

  std::string pseudo;
  for (std::uint8_t b : o.address[from]) pseudo += static_cast<char>(b);
  for (std::uint8_t b : o.address[to]) pseudo += static_cast<char>(b);
  pseudo += '\0';
  pseudo += static_cast<char>(6);
  put16be(pseudo, static_cast<std::uint32_t>(tcp.size()));
  const std::uint16_t tcp_sum = checksum(pseudo + tcp);
  tcp[16] = static_cast<char>(tcp_sum >> 8);
  tcp[17] = static_cast<char>(tcp_sum & 0xFF);

  std::string ip;
  ip += static_cast<char>(0x45);  // version 4, header length 5 words
  ip += '\0';                     // DSCP/ECN
  put16be(ip, static_cast<std::uint32_t>(20 + tcp.size()));
  put16be(ip, id);
  put16be(ip, 0x4000);  // don't fragment
  ip += static_cast<char>(64);
  ip += static_cast<char>(6);  // TCP
  put16be(ip, 0);              // checksum, filled in below
  for (std::uint8_t b : o.address[from]) ip += static_cast<char>(b);
  for (std::uint8_t b : o.address[to]) ip += static_cast<char>(b);
  const std::uint16_t ip_sum = checksum(ip);
  ip[10] = static_cast<char>(ip_sum >> 8);
  ip[11] = static_cast<char>(ip_sum & 0xFF);
  return ip + tcp;
}

/// The time of each step in microseconds: tick t is second t; the m steps after the tick's start are spread
/// evenly inside it.
std::vector<std::uint64_t> step_times(const properties::Trace& trace) {
  const std::vector<unsigned> tick = ticks(trace);
  std::vector<std::uint64_t> out(trace.size(), 0);
  std::size_t begin = 0;
  while (begin < trace.size()) {
    std::size_t end = begin + 1;
    while (end < trace.size() && tick[end] == tick[begin]) ++end;
    // Steps begin..end-1 share one tick; the first is the tick itself (or the initial state) at its start.
    const std::uint64_t base = std::uint64_t{tick[begin]} * kMicrosPerTick;
    const std::uint64_t m = end - begin - 1;
    out[begin] = base;
    for (std::size_t j = 1; j < end - begin; ++j) out[begin + j] = base + j * kMicrosPerTick / (m + 1);
    begin = end;
  }
  return out;
}

}  // namespace

std::string pcap(const properties::Trace& trace, const PcapOptions& options) {
  const std::vector<Flight> fl = flights(trace);
  const std::vector<std::uint64_t> time = step_times(trace);
  std::string out;
  put32le(out, 0xa1b2c3d4);  // microsecond timestamps, written little-endian
  put16le(out, 2);
  put16le(out, 4);
  put32le(out, 0);  // GMT offset
  put32le(out, 0);  // timestamp accuracy
  put32le(out, 65535);
  put32le(out, kLinktypeRaw);
  std::uint16_t id[2] = {0, 0};
  for (const Flight& f : fl) {
    if (f.fate != model::Fate::Queued && f.fate != model::Fate::Duplicated) continue;
    // A network duplicate is the same IP packet again, identification included.
    if (!f.copy) ++id[f.direction];
    const std::string bytes = packet(f.segment, f.direction, id[f.direction], options);
    const std::uint64_t at = time[f.sent] + (f.copy ? 1 : 0);
    put32le(out, static_cast<std::uint32_t>(at / kMicrosPerTick));
    put32le(out, static_cast<std::uint32_t>(at % kMicrosPerTick));
    put32le(out, static_cast<std::uint32_t>(bytes.size()));
    put32le(out, static_cast<std::uint32_t>(bytes.size()));
    out += bytes;
  }
  return out;
}

}  // namespace counterexamples
