"""The opt-in every test needs to point the service at its servers.

The test servers listen on loopback, and the service fetches only public addresses unless the
config allows a network (monitor.netpolicy). Configs built for tests take their `network`
section from here, so that opting in is explicit and done one way.
"""

from __future__ import annotations

from monitor.netpolicy import NetworkPolicy

LOOPBACK = "127.0.0.0/8"
NETWORK = {"allow": [LOOPBACK]}  # the config's `network` section, for configs built as dicts
NETWORK_YAML = f"network:\n  allow: [{LOOPBACK}]\n"  # the same, for configs written as text


def policy() -> NetworkPolicy:
    """The policy those configs give: public addresses and loopback."""
    return NetworkPolicy.from_strings([LOOPBACK])
