"""Which IP addresses a fetch may connect to: public ones only, unless the user says otherwise.

`is_public_address` is False for every special-purpose range of the IANA registries, not just
the private ones: unspecified and "this network" (0.0.0.0/8, ::), loopback, RFC 1918, shared
address space (100.64.0.0/10, carrier-grade NAT), IETF protocol assignments (192.0.0.0/24),
benchmarking (198.18.0.0/15), documentation (TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20), the
6to4 relay anycast, multicast, reserved (240.0.0.0/4), broadcast, IPv6 unique local (fc00::/7),
link-local (fe80::/10), site-local (fec0::/10), discard-only (100::/64), ORCHID, and SRv6.

An IPv6 address that carries an IPv4 address is judged by that address, because that is
where a packet to it ends up: IPv4-mapped (::ffff:a.b.c.d), the NAT64 well-known prefix
(64:ff9b::/96), 6to4 (2002::/16: 2002:7f00:1::1 is 127.0.0.1) and Teredo (2001::/32: both
its server and its client address must be public). IPv4-compatible addresses (::a.b.c.d,
deprecated since 2006) and the local-use NAT64 prefix (64:ff9b:1::/48) are never public.

`Networks` is the user's exception list (the `allow_networks` setting): private networks of
their own that feeds may live on, without opening every private address (`allow_private`).
"""

from __future__ import annotations

import ipaddress

from ..errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_BLOCKED = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "255.255.255.255/32",
))
_V6_BLOCKED = tuple(ipaddress.IPv6Network(n) for n in (
    "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
    "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:10::/28", "2001:20::/28",
    "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def parse_address(address: str) -> IPAddress | None:
    """The address of a resolver's answer ("fe80::1%eth0" keeps its zone out), or None."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None


def _public_v4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not any(ip in net for net in _V4_BLOCKED)


def _public_v6(ip: ipaddress.IPv6Address) -> bool:
    if ip.ipv4_mapped is not None:
        return _public_v4(ip.ipv4_mapped)
    if ip in _NAT64:
        return _public_v4(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        return _public_v4(ip.sixtofour)
    if ip in _TEREDO:
        assert ip.teredo is not None
        server, client = ip.teredo
        return _public_v4(server) and _public_v4(client)
    return ip.is_global and not any(ip in net for net in _V6_BLOCKED)


def is_public_address(address: str | IPAddress) -> bool:
    """True only for an address on the public internet (see the module docstring)."""
    ip = parse_address(address) if isinstance(address, str) else address
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return _public_v4(ip)
    return _public_v6(ip)


class Networks:
    """A list of networks (the `allow_networks` setting: comma-separated CIDR blocks)."""

    def __init__(self, spec: str, setting: str = "allow_networks") -> None:
        self.networks: list[IPNetwork] = []
        for part in spec.replace(";", ",").split(","):
            text = part.strip()
            if not text:
                continue
            try:
                self.networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ConfigError(f"setting {setting}: {text!r} is not an IP network "
                                  "(write e.g. 10.1.2.0/24 or fd00:1::/64)") from None

    def __contains__(self, address: object) -> bool:
        ip = parse_address(address) if isinstance(address, str) else address
        if not isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.networks)

    def __bool__(self) -> bool:
        return bool(self.networks)
