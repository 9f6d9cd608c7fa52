"""A stateful HTTPS emulator of the Microsoft and Zscaler services mipconnect.zia calls.

One address serves them all, by path prefix:
  /entra/{tenant}/...   Entra ID (OIDC discovery, keys, client-credentials tokens)
  /graph/v1.0/...       Microsoft Graph (applications, service principals, consent, sensitivity labels)
  /graph/beta/...       Microsoft Graph beta (sensitivity labels)
  /arm/...              Azure Resource Manager role assignments
  /bap/...              Power Platform admin applications
  /zslogin/...          Zscaler OneAPI (ZIdentity) token endpoint
  /zia/api/v1/...       Zscaler Internet Access (sessions, activation, MIP accounts)
  /_emulator/...        the control API (tenants, labels, ZIA orgs, faults, config, request log)

    from emulator import Emulator
    with Emulator() as emu:
        tenant = emu.create_tenant()
"""

from .server import Emulator

__all__ = ["Emulator"]
