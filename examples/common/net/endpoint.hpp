// examples/common/net/endpoint.hpp — "ADDR:PORT" arguments of the network tools
// (../shared/spec/tools.md: --listen, --tls-port, --server): "127.0.0.1:2525", "[::1]:25",
// "localhost:25", ":2525" (every address), "*:2525".
#pragma once

#include <asio.hpp>
#include <fmt/core.h>

#include <string>
#include <string_view>
#include <vector>

#include "tool/cli.hpp"

namespace mailwire_net {

/// HOST and PORT of a "HOST:PORT" argument (IPv6 literals in brackets).
struct host_port {
  std::string host;  ///< "" for every address
  std::uint16_t port = 0;
};

/// Splits "HOST:PORT"; throws mailwire_tool::usage_error naming `flag` when malformed.
inline host_port split_host_port(std::string_view flag, std::string_view v) {
  const std::size_t colon = v.rfind(':');
  if (colon == std::string_view::npos)
    throw mailwire_tool::usage_error{fmt::format("{} needs ADDR:PORT, not '{}'", flag, v)};
  std::string_view host = v.substr(0, colon);
  const std::string_view port = v.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    throw mailwire_tool::usage_error{fmt::format("{}: write IPv6 addresses as [ADDR]:PORT", flag)};
  const std::uint64_t p = mailwire_tool::parse_count(flag, port);
  if (p > 65535) throw mailwire_tool::usage_error{fmt::format("{}: port {} is out of range", flag, p)};
  host_port r;
  r.host = host == "*" ? std::string() : std::string(host);
  r.port = static_cast<std::uint16_t>(p);
  return r;
}

/// The endpoints "HOST:PORT" names (resolved now, synchronously). Throws usage_error when the
/// host cannot be resolved.
inline std::vector<asio::ip::tcp::endpoint> resolve(asio::io_context& io, std::string_view flag,
                                                    const host_port& hp, bool passive) {
  std::vector<asio::ip::tcp::endpoint> out;
  if (hp.host.empty()) {
    out.emplace_back(asio::ip::tcp::v6(), hp.port);  // dual-stack where the system allows it
    return out;
  }
  asio::error_code ec;
  const asio::ip::address a = asio::ip::make_address(hp.host, ec);
  if (!ec) {
    out.emplace_back(a, hp.port);
    return out;
  }
  asio::ip::tcp::resolver r(io);
  const auto flags = passive ? asio::ip::resolver_base::passive : asio::ip::resolver_base::flags();
  const auto res = r.resolve(hp.host, std::to_string(hp.port), flags, ec);
  if (ec) throw mailwire_tool::usage_error{fmt::format("{}: cannot resolve '{}': {}", flag, hp.host, ec.message())};
  for (const auto& e : res) out.push_back(e.endpoint());
  return out;
}

/// The address as a Received: field writes it (RFC 5321 section 4.1.3): "[1.2.3.4]",
/// "[IPv6:2001:db8::1]"; IPv4-mapped IPv6 addresses as IPv4.
inline std::string address_literal(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return "[" + asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string() + "]";
  if (a.is_v6()) return "[IPv6:" + a.to_string() + "]";
  return "[" + a.to_string() + "]";
}

}  // namespace mailwire_net
