"""A stateful HTTPS emulator of the Microsoft services mipconnect.zia calls.

One address serves them all, by path prefix:
  /entra/{tenant}/...   Entra ID (OIDC discovery, keys, client-credentials tokens)
  /graph/v1.0/...       Microsoft Graph (applications, service principals, consent)
  /arm/...              Azure Resource Manager role assignments
  /bap/...              Power Platform admin applications
  /_emulator/...        the control API (tenants, clients, faults, config, request log)

    from emulator import Emulator
    with Emulator() as emu:
        tenant = emu.create_tenant()
"""

from .server import Emulator

__all__ = ["Emulator"]
