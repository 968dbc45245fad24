#pragma once
// A trace as a capture file Wireshark and tshark open: classic libpcap format (magic 0xa1b2c3d4,
// microsecond timestamps, little-endian, version 2.4), link type LINKTYPE_RAW (101: each record is an IPv4
// packet, no link-layer header), one real IPv4/TCP packet per segment sent.
//
// What is written, as a capture on the wire between the two hosts would show it:
// - every segment the trace sends, at the step that sends it, in trace order: an application's call, a
//   retransmission, and an endpoint's answer to a delivered segment;
// - a segment the network loses is omitted (it never reaches the wire past the fault), and so is one a
//   firewall filters; a duplicated segment is written twice, the copy (the same IP packet, identification
//   included) 1 microsecond after the original;
// - deliveries write nothing: the packet already went by when it was sent.
// Timestamps: one tick is one second from the Unix epoch (so Wireshark's "seconds since the beginning of the
// capture" counts ticks); the steps within a tick are spread evenly inside that second in trace order
// (step j of the m steps after the tick's start is at (j + 1) / (m + 1) s).
// Packets: IPv4 (no options, DF, TTL 64, an identification counting up from 1 per sender, correct header checksum);
// TCP (no options, data offset 5, the model's flags SYN/ACK/FIN/RST and nothing else, the concrete sequence
// and acknowledgement numbers, 0 in the acknowledgement field when ACK is not set, window = RCV.WND units or
// 0 on a RST, correct checksum over the pseudo-header); one payload byte per data unit, whose value is the
// model's ghost byte: the high nibble the connection (incarnation), the low nibble the unit's offset in that
// connection's stream (0x21: unit 1 of connection 2), so a stray byte shows in the hex dump.

#include <array>
#include <cstdint>
#include <string>

#include "properties/check.hpp"

namespace counterexamples {

/// Addresses of the two hosts (defaults: documentation addresses of RFC 5737 and a client port above 32768
/// talking to port 80) and the receive window to advertise.
struct PcapOptions {
  std::array<std::uint8_t, 4> address[2] = {{192, 0, 2, 1}, {192, 0, 2, 2}};  ///< [0]: A, [1]: B
  std::uint16_t port[2] = {40000, 80};
  std::uint16_t window = 4;  ///< RCV.WND in units (= bytes): the model's `window` knob
};

/// The capture file's bytes. \throws std::logic_error when the trace delivers a segment it never sent.
std::string pcap(const properties::Trace& trace, const PcapOptions& options = {});

}  // namespace counterexamples
