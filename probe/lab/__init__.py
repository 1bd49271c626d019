"""The censorship lab: network namespaces with a real censor in the path (``probe lab``).

Python here is glue: it builds the topology, writes configuration for real servers (Unbound,
nginx, mitmproxy) and kernel rules (iptables, tc), and runs the scapy injector. See docs/lab.md.
"""
