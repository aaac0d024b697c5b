"""Netlink with the standard library's AF_NETLINK sockets.

- `message`: netlink framing (nlmsghdr, attributes, error payloads) and requests; pure.
- `rtnl`: rtnetlink messages (links, link statistics, neighbours, addresses, routes, qdiscs); pure.
- `diag`: sock_diag's inet_diag messages (TCP sockets by state); pure.
- `conn`: the socket I/O: one socket per request, a deadline for the whole reply, bounded reads.

The pure modules take bytes and return small typed values, raising only
ParseError; only `conn` touches a socket.
"""
